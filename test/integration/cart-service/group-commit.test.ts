import { expect } from 'chai';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { Config } from '../../../src/config';
import { createKafkaClient } from '../../../src/lib/kafka';
import { EVENT_ID_HEADER } from '../../../src/lib/registry';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { call, expectMatchesOpenApi, startTestCartService, validOrderBody, type TestCartService } from './cart-service-harness';
import { CART_DATABASE } from '../../../src/cart-service';

/** A full order whose OrderCreated is about 7.5 KB: 100 lines with 64-character item ids. */
function largeOrderBody(orderId: string): Record<string, unknown> {
  const items = Array.from({ length: 100 }, (_, line) => ({ itemId: `ITEM-${line}-`.padEnd(64, 'x'), quantity: 1, price: '1.00' }));
  return { orderId, customerId: 'C'.repeat(64), orderDate: '2024-05-01', items, totalAmount: '100.00', currency: 'EUR' };
}

/**
 * Reads a topic as every consumer of the order events does (read committed), and knows when it
 * has read to the end: kafkajs reports each fetched batch's last offset, aborted or control
 * records included, so "caught up" means past the last transaction marker too.
 */
async function readCommitted(config: Config): Promise<{ keys(): string[]; messages(): KafkaMessage[]; caughtUp(): Promise<void>; consumer: Consumer }> {
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'group-commit-test-reader' });
  const consumer = kafka.consumer({ groupId: `${config.CONSUMER_GROUP_ID}-reader`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const messages: KafkaMessage[] = [];
  const lastOffsetRead = new Map<number, number>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    lastOffsetRead.set(payload.partition, Math.max(lastOffsetRead.get(payload.partition) ?? -1, Number(payload.lastOffset)));
  });
  await consumer.connect();
  await consumer.subscribe({ topic: config.ORDER_EVENTS_TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  const admin = kafka.admin();
  return {
    consumer,
    keys: () => messages.map((message) => String(message.key)),
    messages: () => messages,
    async caughtUp() {
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(config.ORDER_EVENTS_TOPIC);
      await admin.disconnect();
      await waitFor(() => ends.every(({ partition, high }) => Number(high) === 0 || (lastOffsetRead.get(partition) ?? -1) >= Number(high) - 1), {
        what: 'the reader to reach the end of every partition',
      });
    },
  };
}

describe('cart service: writes that share a transaction and a produce call', function () {
  this.timeout(90_000);
  let db: TestDatabase;
  let cart: TestCartService | undefined;
  let reader: Awaited<ReturnType<typeof readCommitted>> | undefined;

  afterEach(async () => {
    await reader?.consumer.disconnect();
    await cart?.stop();
    await db?.destroy();
  });

  /** Starts a cart service on a fresh topic whose records may be at most `maxMessageBytes` per partition and call. */
  async function startOnTopicLimitedTo(maxMessageBytes: number, overrides: Record<string, string> = {}): Promise<Config> {
    const config = testConfig(overrides);
    const admin = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'group-commit-test-admin' }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: config.ORDER_EVENTS_TOPIC, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: String(maxMessageBytes) }] }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    db = await createTestDatabase(CART_DATABASE, config, 90);
    cart = await startTestCartService({ db, config });
    reader = await readCommitted(config);
    return config;
  }

  it('when Kafka refuses a produce call as too large for the topic, the relay sends fewer rows per call: every create is published with its one event', async () => {
    // One event fits the topic's limit; two of these on one partition in one call do not.
    await startOnTopicLimitedTo(12_000);
    const orderIds = Array.from({ length: 60 }, () => `BIG-${uniqueSuffix()}`);
    const responses = await Promise.all(orderIds.map((orderId) => call(cart!.baseUrl, 'POST', '/api/create-order', largeOrderBody(orderId))));
    expect(responses.map((response) => response.status).filter((status) => status !== 201 && status !== 202), 'every create stored').to.deep.equal([]);

    const stored = await db.knex('cart_orders').whereIn('order_id', orderIds).pluck('order_id');
    expect([...stored].sort()).to.deep.equal([...orderIds].sort());
    await waitFor(async () => Number((await db.knex('cart_outbox').count<Array<{ count: string }>>('* as count'))[0]!.count) === 0, {
      what: 'the outbox to drain',
    });
    await reader!.caughtUp();
    // A refused call may have been written by the partitions it fitted; sent again, those records
    // repeat with the same event id, which consumers drop. Each order still has exactly one event.
    const eventIdsOf = new Map<string, Set<string>>();
    for (const message of reader!.messages()) {
      const key = String(message.key);
      if (!orderIds.includes(key)) continue;
      eventIdsOf.set(key, (eventIdsOf.get(key) ?? new Set()).add(String(message.headers?.[EVENT_ID_HEADER])));
    }
    expect([...eventIdsOf.keys()].sort(), 'every order published').to.deep.equal([...orderIds].sort());
    expect([...eventIdsOf.values()].filter((ids) => ids.size !== 1), 'one event per order, repeated or not').to.deep.equal([]);
  });

  it('when Kafka refuses one event outright (larger than the topic accepts), it is parked, not lost, and the events after it are published', async () => {
    await startOnTopicLimitedTo(4_000, { PUBLISH_TIMEOUT_MS: '1000' });
    const large = `HUGE-${uniqueSuffix()}`;
    const largeAnswer = await call(cart!.baseUrl, 'POST', '/api/create-order', largeOrderBody(large));
    expect(largeAnswer.status, 'committed; its event waits (for an operator)').to.equal(202);
    expect((largeAnswer.body as { publication: string }).publication).to.equal('held');
    expectMatchesOpenApi('post', '/api/create-order', largeAnswer);
    const after = Array.from({ length: 5 }, () => `AFTER-${uniqueSuffix()}`);
    const answers = await Promise.all(after.map((orderId) => call(cart!.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 1 })));
    expect(answers.map((answer) => answer.status), 'writes after it are published as usual').to.deep.equal(after.map(() => 201));

    const parked: Array<{ order_id: string; reason: string }> = await db.knex('cart_outbox_parked').select('order_id', 'reason');
    expect(parked.map((row) => row.order_id)).to.deep.equal([large]);
    expect(parked[0]!.reason).to.match(/too large|larger/i);
    const known = await call(cart!.baseUrl, 'GET', `/api/orders/${large}`);
    expect((known.body as { data: { lastEvent: { published: boolean } } }).data.lastEvent.published, 'a parked event is not published').to.equal(false);
    const parkedCount = (await cart!.service.metrics.outboxParked.get()).values.reduce((sum, value) => sum + value.value, 0);
    expect(parkedCount).to.equal(1);
    await reader!.caughtUp();
    expect(reader!.keys().filter((key) => key === large || after.includes(key)).sort()).to.deep.equal([...after].sort());
  });

  it('keeps each produce call under PRODUCER_MAX_BATCH_BYTES, so the same load all fits the topic at the first try', async () => {
    await startOnTopicLimitedTo(12_000, { PRODUCER_MAX_BATCH_BYTES: '10000' });
    const orderIds = Array.from({ length: 30 }, () => `FIT-${uniqueSuffix()}`);
    const responses = await Promise.all(orderIds.map((orderId) => call(cart!.baseUrl, 'POST', '/api/create-order', largeOrderBody(orderId))));
    expect(responses.map((response) => response.status)).to.deep.equal(orderIds.map(() => 201));
    const failed = (await cart!.service.metrics.eventsProduced.get()).values.filter((value) => value.labels.outcome === 'failed');
    expect(failed, 'no produce call was refused').to.deep.equal([]);
    // The same bound applies to a group commit: each of these 7.5 KB events went in a transaction of its own.
    const inserts = (await cart!.service.metrics.dbQueryDuration.get()).values.find(
      (value) => value.metricName?.endsWith('_count') && value.labels.operation === 'cart_orders.insert_batch',
    );
    expect(inserts?.value, 'one insert per create').to.equal(orderIds.length);
  });

  it('when the database refuses one create of a batch, only that create fails; the others are committed and published', async () => {
    await startOnTopicLimitedTo(1_048_588);
    // A trigger in the test's own schema stands in for a database error caused by one create alone.
    await db.knex.raw(`
      CREATE FUNCTION refuse_marked_orders() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.order_id LIKE 'REFUSED-%' THEN RAISE EXCEPTION 'refused by the test'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_marked_orders BEFORE INSERT ON cart_orders FOR EACH ROW EXECUTE FUNCTION refuse_marked_orders();
    `);
    const good = Array.from({ length: 30 }, () => `GOOD-${uniqueSuffix()}`);
    const refused = `REFUSED-${uniqueSuffix()}`;
    const all = [...good.slice(0, 15), refused, ...good.slice(15)];
    const responses = await Promise.all(all.map((orderId) => call(cart!.baseUrl, 'POST', '/api/create-order', validOrderBody(orderId))));
    const statusOf = new Map(all.map((orderId, index) => [orderId, responses[index]!.status]));
    expect(good.map((orderId) => statusOf.get(orderId))).to.deep.equal(good.map(() => 201));
    expect(statusOf.get(refused)).to.equal(500);
    await reader!.caughtUp();
    expect(reader!.keys().filter((key) => all.includes(key)).sort()).to.deep.equal([...good].sort());
  });
});
