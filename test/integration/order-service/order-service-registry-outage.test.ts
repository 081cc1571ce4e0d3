import { expect } from 'chai';
import type { Admin } from 'kafkajs';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { OPENAPI_DOCUMENT } from '../../../src/order-service/openapi';
import { createOpenApiChecker } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, countAppliedEvents, createEventProducer, lifecycleEvents, snapshot } from './order-service-fixtures';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy';

type Producer = Awaited<ReturnType<typeof createEventProducer>>;

async function counterTotal(service: RunningOrderService, name: 'registryErrors' | 'deadLetters'): Promise<number> {
  const { values } = await service.metrics[name].get();
  return values.reduce((sum, { value }) => sum + value, 0);
}

describe('order service with the schema registry unreachable (a TCP proxy in front of the real one)', function () {
  this.timeout(120_000);
  const contract = createOpenApiChecker(OPENAPI_DOCUMENT);
  let config: Config;
  let db: TestDatabase;
  let producer: Producer;
  let proxy: TcpProxy;
  let admin: Admin;
  let service: RunningOrderService | undefined;

  async function ready(): Promise<{ status: number; body: { data: Record<string, string> } }> {
    const response = await fetch(`http://127.0.0.1:${service?.port}/ready`);
    const answer = { status: response.status, body: (await response.json()) as { data: Record<string, string> }, headers: response.headers };
    contract.expectMatchesOpenApi('get', '/ready', answer);
    return answer;
  }

  async function committedOffsets(): Promise<Map<number, string>> {
    const [topic] = await admin.fetchOffsets({ groupId: config.CONSUMER_GROUP_ID, topics: [config.ORDER_EVENTS_TOPIC] });
    return new Map((topic?.partitions ?? []).map(({ partition, offset }) => [partition, offset]));
  }

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    producer = await createEventProducer(config);
    admin = producer.kafka.admin();
    await admin.connect();
    const registry = new URL(config.SCHEMA_REGISTRY_URL);
    proxy = await startTcpProxy({ host: registry.hostname, port: Number(registry.port) });
    registry.port = String(proxy.port);
    // Only the service goes through the proxy; the test's producer talks to the registry directly.
    service = await startOrderService({ ...config, SCHEMA_REGISTRY_URL: registry.toString().replace(/\/$/, '') }, { ...FAST, knex: db.knex });
  });

  after(async () => {
    await proxy?.open();
    await service?.stop();
    await admin?.disconnect();
    await producer?.close();
    await proxy?.close();
    await db?.destroy();
  });

  it('retries events whose schema it has not cached: nothing dead-lettered or skipped, all applied once the registry is back, /ready says why meanwhile', async () => {
    await waitFor(async () => (await ready()).status === 200, { what: 'the service to be ready through the proxy' });

    await proxy.close();
    const down = await ready();
    expect(down.status).to.equal(503);
    expect(down.body.data.registry).to.match(/^down: /);
    expect(down.body.data).to.include({ kafka: 'up', database: 'up' });
    // The console's schema listing says the registry is unavailable: a 503, not a 500.
    const schemasResponse = await fetch(`http://127.0.0.1:${service?.port}/api/schemas`);
    const schemas = { status: schemasResponse.status, body: (await schemasResponse.json()) as { code: string }, headers: schemasResponse.headers };
    contract.expectMatchesOpenApi('get', '/api/schemas', schemas);
    expect(schemas.status).to.equal(503);
    expect(schemas.body.code).to.equal('DEPENDENCY_UNAVAILABLE');

    // The service has decoded nothing yet, so it has no writer schema cached: every record needs the registry.
    const orders = 20;
    const events = lifecycleEvents('REGDOWN', orders);
    await producer.send(events);

    // The consumer is trying (and failing) to fetch the writer schemas, several times over...
    await waitFor(async () => (await counterTotal(service!, 'registryErrors')) >= 10, { what: 'repeated registry errors while decoding (retries of the same records)' });
    // ...and meanwhile applies nothing, dead-letters nothing and commits no offset past the stuck records.
    expect(await countAppliedEvents(db.knex)).to.equal(0);
    expect(await counterTotal(service!, 'deadLetters')).to.equal(0);
    const stuck = await committedOffsets();
    expect([...stuck.values()].every((offset) => offset === '-1'), `no offsets committed during the outage: ${JSON.stringify([...stuck])}`).to.equal(true);
    expect((await ready()).status).to.equal(503);

    await proxy.open();
    await waitFor(async () => (await countAppliedEvents(db.knex)) === events.length, { timeoutMs: 60_000, what: 'every event applied after the registry came back' });
    const state = await snapshot(db.knex);
    expect(state.orders).to.have.length(orders);
    expect(state.orders.every((order) => order.status === 'delivered' && order.total_amount === '10.25')).to.equal(true);
    expect(state.events).to.have.length(events.length);
    expect(state.pending).to.equal(0);

    // Nothing reached the dead-letter topic, not even late: its end offset is still 0.
    expect(await counterTotal(service!, 'deadLetters')).to.equal(0);
    const deadLetterEnds = await admin.fetchTopicOffsets(config.DEAD_LETTER_TOPIC);
    expect(deadLetterEnds.map(({ high }) => high)).to.deep.equal(['0']);
    // And the group's offsets reach the end of every partition: no record skipped, none left behind.
    const ends = await admin.fetchTopicOffsets(config.ORDER_EVENTS_TOPIC);
    await waitFor(
      async () => {
        const committed = await committedOffsets();
        return ends.every(({ partition, high }) => committed.get(partition) === high);
      },
      { what: 'the group to commit up to the end of every partition' },
    );
    expect((await ready()).status).to.equal(200);
  });
});
