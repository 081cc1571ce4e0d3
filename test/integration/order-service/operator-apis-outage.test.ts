import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { OPENAPI_DOCUMENT } from '../../../src/order-service/openapi';
import { createOpenApiChecker } from '../../helpers/openapi-contract';
import { createPrivateKafkaBroker, type PrivateKafkaBroker } from '../../helpers/private-kafka-broker';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, orderCreated, orderStatus } from './order-service-fixtures';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { success: boolean; code?: string; message: string; data?: unknown };
}

describe('order service: the operator APIs over HTTP while Kafka or the registry is down (a private broker, a proxy in front of the registry)', function () {
  this.timeout(180_000);
  const contract = createOpenApiChecker(OPENAPI_DOCUMENT);
  let broker: PrivateKafkaBroker;
  let registryProxy: TcpProxy;
  let config: Config;
  let db: TestDatabase;
  let producer: Awaited<ReturnType<typeof createEventProducer>>;
  let service: RunningOrderService;

  async function call(method: 'get' | 'post', path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`http://127.0.0.1:${service.port}${path}`, {
      method: method.toUpperCase(),
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const answer = { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Answer['body'], headers: response.headers };
    contract.expectMatchesOpenApi(method, path, answer);
    return answer;
  }

  function expectUnavailable(answer: Answer, dependency: RegExp): void {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(503);
    expect(answer.body).to.include({ success: false, code: 'DEPENDENCY_UNAVAILABLE' });
    expect(answer.body.message).to.match(dependency);
    expect(Number(answer.retryAfter)).to.be.greaterThan(0);
  }

  before(async () => {
    broker = await createPrivateKafkaBroker();
    await broker.start();
    const shared = testConfig();
    const registry = new URL(shared.SCHEMA_REGISTRY_URL);
    registryProxy = await startTcpProxy({ host: registry.hostname, port: Number(registry.port) });
    registry.port = String(registryProxy.port);
    config = { ...shared, KAFKA_BROKERS: broker.brokers };
    db = await createTestDatabase(ORDER_DATABASE, config);
    producer = await createEventProducer(config);
    // Only the service goes through the proxy; the test's producer talks to the registry directly.
    service = await startOrderService({ ...config, SCHEMA_REGISTRY_URL: registry.toString().replace(/\/$/, '') }, { ...FAST, knex: db.knex });
  });

  after(async () => {
    await registryProxy?.open();
    await service?.stop();
    await producer?.close().catch(() => undefined);
    await registryProxy?.close();
    await db?.destroy();
    await broker?.destroy();
  });

  it('with Kafka down, answers consumer lag, a dead-letter replay and readiness with 503 and Retry-After, records no replay, and replays once Kafka is back', async () => {
    await producer.sendRaw('OUTAGE-NOT-AVRO', Buffer.from('{"orderId":"OUTAGE-NOT-AVRO"}'));
    await producer.send([orderCreated('OUTAGE-1')]);
    await waitFor(async () => (await orderStatus(db.knex, 'OUTAGE-1')) === 'pending', { what: 'OUTAGE-1 applied' });
    const recordId = await waitFor(
      async () => ((await call('get', '/api/dlq')).body.data as { deadLetters: Array<{ recordId: string; key: string | null }> }).deadLetters.find((letter) => letter.key === 'OUTAGE-NOT-AVRO')?.recordId,
      { what: 'the dead letter indexed' },
    );
    expect((await call('get', '/api/consumer-lag')).status).to.equal(200);
    await producer.close();

    await broker.kill();
    expectUnavailable(await call('get', '/api/consumer-lag'), /Kafka/i);
    expectUnavailable(await call('post', `/api/dlq/${encodeURIComponent(recordId)}/replay`, { operator: 'alice' }), /Kafka/i);
    const ready = await waitFor(async () => {
      const answer = await call('get', '/ready');
      return answer.status === 503 ? answer : undefined;
    }, { what: '/ready to say Kafka is down' });
    expect(ready.body.message).to.match(/kafka/i);
    // The failed replay left no claim: the dead letter shows no replay, and the reads that need only PostgreSQL go on.
    const inspected = await call('get', `/api/dlq/${encodeURIComponent(recordId)}`);
    expect(inspected.status).to.equal(200);
    expect((inspected.body.data as { replay: unknown }).replay).to.equal(null);
    expect((await call('get', '/api/orders/OUTAGE-1')).status).to.equal(200);

    await broker.start();
    const replayed = await waitFor(async () => {
      const answer = await call('post', `/api/dlq/${encodeURIComponent(recordId)}/replay`, { operator: 'alice' });
      return answer.status === 200 ? answer : undefined;
    }, { what: 'the replay to succeed once Kafka is back', timeoutMs: 60_000 });
    expect((replayed.body.data as { replay: { replayedBy: string } }).replay.replayedBy).to.equal('alice');
    expect((await call('post', `/api/dlq/${encodeURIComponent(recordId)}/replay`, { operator: 'alice' })).status).to.equal(409);
  });

  it('with the registry down, answers the schema subjects with 503 and Retry-After', async () => {
    expect((await call('get', '/api/schemas')).status).to.equal(200);
    await registryProxy.close();
    try {
      expectUnavailable(await call('get', '/api/schemas'), /registry/i);
    } finally {
      await registryProxy.open();
    }
    expect((await call('get', '/api/schemas')).status).to.equal(200);
  });

  it('has checked the 503 of every operator API over HTTP', () => {
    const unchecked = contract.coverage().unchecked;
    for (const response of ['GET /api/consumer-lag 503', 'POST /api/dlq/{recordId}/replay 503', 'GET /api/schemas 503', 'GET /ready 503']) expect(unchecked).to.not.include(response);
  });
});
