import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST } from './order-service-fixtures';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy';

const RECORDS = ['io.orderflow.events.OrderCreated', 'io.orderflow.events.OrderStatusUpdated'];

/**
 * Which of `expected` subjects have a version in the registry. Asked one subject at a time:
 * GET /subjects lists at most 1000 subjects on Apicurio, and a long-lived registry holds more.
 */
async function registered(config: Config, expected: string[]): Promise<string[]> {
  const found = await Promise.all(
    expected.map(async (subject) => {
      const response = await fetch(`${config.SCHEMA_REGISTRY_URL}/subjects/${encodeURIComponent(subject)}/versions`);
      await response.body?.cancel();
      expect(response.status, subject).to.be.oneOf([200, 404]);
      return response.status === 200 ? subject : undefined;
    }),
  );
  return found.filter((subject): subject is string => subject !== undefined);
}

describe('order service registers the event schemas at start-up', function () {
  this.timeout(60_000);
  let config: Config;
  let db: TestDatabase;
  let service: RunningOrderService | undefined;
  let proxy: TcpProxy | undefined;

  beforeEach(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
  });

  afterEach(async () => {
    await proxy?.open();
    await service?.stop();
    service = undefined;
    await proxy?.close();
    proxy = undefined;
    await db?.destroy();
  });

  it('registers <topic>-<record> for every event type on a fresh topic', async () => {
    const expected = RECORDS.map((record) => `${config.ORDER_EVENTS_TOPIC}-${record}`);
    expect(await registered(config, expected)).to.deep.equal([]);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    // The first attempt is part of start-up: with the registry up, the subjects exist once it resolves.
    expect(await registered(config, expected)).to.deep.equal(expected);
  });

  it('starts while the registry is unreachable and registers once it is back', async () => {
    const registry = new URL(config.SCHEMA_REGISTRY_URL);
    proxy = await startTcpProxy({ host: registry.hostname, port: Number(registry.port) });
    await proxy.close();
    registry.port = String(proxy.port);
    service = await startOrderService({ ...config, SCHEMA_REGISTRY_URL: registry.toString().replace(/\/$/, '') }, { ...FAST, knex: db.knex });

    const expected = RECORDS.map((record) => `${config.ORDER_EVENTS_TOPIC}-${record}`);
    expect(await registered(config, expected)).to.deep.equal([]);
    await proxy.open();
    await waitFor(async () => (await registered(config, expected)).length === expected.length, { what: 'the subjects to be registered in the background' });
  });
});
