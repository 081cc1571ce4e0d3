import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Admin } from 'kafkajs';
import type { Config } from '../../../src/config';
import { createDatabase, type Knex } from '../../../src/lib/db';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, countAppliedEvents, createEventProducer, orderCreated } from './order-service-fixtures';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy';

type Producer = Awaited<ReturnType<typeof createEventProducer>>;

const ORDERS = 3_000;
/** How long the database stays away once the group has begun to rebalance. */
const OUTAGE_INTO_REBALANCE_MS = 5_000;

/**
 * A rebalance while the database is down: the consumers retry, heartbeating, and the heartbeat
 * answers that the group is rebalancing. That says nothing about any record, so the batch must
 * be handed back — never split, never dead-lettered — and every order applied once it returns.
 */
describe('order service: a rebalance during a database outage', function () {
  this.timeout(180_000);
  let config: Config;
  let db: TestDatabase;
  let proxy: TcpProxy;
  let producer: Producer;
  let admin: Admin;
  const services: RunningOrderService[] = [];
  const pools: Knex[] = [];

  /** A pool to the test's schema through the proxy, so cutting the proxy is this consumer's outage only. */
  function throughProxy(): Knex {
    const url = new URL(config.DATABASE_URL);
    url.port = String(proxy.port);
    const knex = createDatabase({ url: url.toString(), database: ORDER_DATABASE, schema: db.schema, poolMax: 4, applicationName: `${db.schema}-proxied` });
    pools.push(knex);
    return knex;
  }

  async function startConsumer(): Promise<RunningOrderService> {
    const service = await startOrderService(config, { ...FAST, knex: throughProxy() });
    services.push(service);
    return service;
  }

  const persisted = async () => Number(((await db.knex('orders').count({ count: '*' })) as Array<{ count: string }>)[0]?.count ?? 0);

  async function deadLetters(): Promise<number> {
    const ends = await admin.fetchTopicOffsets(config.DEAD_LETTER_TOPIC);
    return ends.reduce((sum, end) => sum + Number(end.high), 0);
  }

  before(async () => {
    config = testConfig({ LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent' });
    db = await createTestDatabase(ORDER_DATABASE, config);
    const target = new URL(config.DATABASE_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    producer = await createEventProducer(config);
    admin = producer.kafka.admin();
    await admin.connect();
  });

  after(async () => {
    for (const service of services) await service.stop();
    for (const pool of pools) await pool.destroy();
    await proxy?.close();
    await admin?.disconnect();
    await producer?.close();
    await db?.destroy();
  });

  it('hands the batch back to the group, dead-letters nothing and applies every order once the database returns', async () => {
    const prefix = `REB-${uniqueSuffix()}`;
    const events = Array.from({ length: ORDERS }, (_, index) => orderCreated(`${prefix}-${index}`));
    for (let start = 0; start < events.length; start += 500) await producer.send(events.slice(start, start + 500));

    // The database is away before the first member starts, so it is surely in its first batch, retrying.
    await proxy.close();
    await startConsumer();

    // A second member joins: the group rebalances while the first is still in its batch,
    // heartbeating between retries.
    // Not awaited: joining completes only once the first member has answered the rebalance.
    const joining = startConsumer();
    await waitFor(
      async () => {
        const [group] = (await admin.describeGroups([config.CONSUMER_GROUP_ID])).groups;
        return group?.state === 'PreparingRebalance' || group?.state === 'CompletingRebalance';
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the group to start rebalancing' },
    );
    // The outage lasts on into the rebalance (its length is the scenario, not a wait for an effect).
    await sleep(OUTAGE_INTO_REBALANCE_MS);
    await proxy.open();
    await joining;

    // Every order ends up persisted or dead-lettered; none may be dead-lettered.
    await waitFor(async () => (await persisted()) + (await deadLetters()) === ORDERS, { timeoutMs: 90_000, intervalMs: 250, what: `all ${ORDERS} orders accounted for` });
    expect(await deadLetters(), 'valid events dead-lettered').to.equal(0);
    expect(await persisted()).to.equal(ORDERS);
    expect(await countAppliedEvents(db.knex), 'each event applied once').to.equal(ORDERS);
  });
});
