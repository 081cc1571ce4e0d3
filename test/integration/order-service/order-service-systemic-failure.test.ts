import { expect } from 'chai';
import type { Admin } from 'kafkajs';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, countAppliedEvents, createEventProducer, header, orderCreated, statusUpdated, watchDeadLetters } from './order-service-fixtures';

type Producer = Awaited<ReturnType<typeof createEventProducer>>;

/**
 * Non-transient database failures that are not the records' fault: a trigger in the test's own
 * schema refuses writes to `orders` with a plain RAISE EXCEPTION (SQLSTATE P0001, which no rule
 * classifies as transient). A sequence (not rolled back with the failing transaction) counts the
 * refused attempts, so the test waits for retries instead of sleeping.
 */
describe('order service: non-transient failures of the whole database never dead-letter valid events', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  let producer: Producer;
  let admin: Admin;
  let service: RunningOrderService | undefined;

  async function refuseWrites(condition: string): Promise<void> {
    const { schema } = db;
    await db.knex.raw(`CREATE SEQUENCE IF NOT EXISTS "${schema}".refused_writes`);
    await db.knex.raw(`
      CREATE OR REPLACE FUNCTION "${schema}".refuse_order_writes() RETURNS trigger LANGUAGE plpgsql AS $body$
      BEGIN
        IF ${condition} THEN
          PERFORM nextval('"${schema}".refused_writes');
          RAISE EXCEPTION 'orders are refused by the test' USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
      END
      $body$`);
    await db.knex.raw(`CREATE TRIGGER refuse_order_writes BEFORE INSERT OR UPDATE ON "${db.schema}".orders FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_order_writes()`);
  }

  async function allowWrites(): Promise<void> {
    await db.knex.raw(`DROP TRIGGER refuse_order_writes ON "${db.schema}".orders`);
  }

  async function refusedWrites(): Promise<number> {
    const { rows } = (await db.knex.raw(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM "${db.schema}".refused_writes`)) as { rows: Array<{ n: string }> };
    return Number(rows[0]?.n ?? 0);
  }

  async function deadLetterCount(): Promise<number> {
    const ends = await admin.fetchTopicOffsets(config.DEAD_LETTER_TOPIC);
    return ends.reduce((sum, end) => sum + Number(end.high), 0);
  }

  async function committedOffsets(): Promise<Map<number, string>> {
    const [topic] = await admin.fetchOffsets({ groupId: config.CONSUMER_GROUP_ID, topics: [config.ORDER_EVENTS_TOPIC] });
    return new Map((topic?.partitions ?? []).map(({ partition, offset }) => [partition, offset]));
  }

  async function caughtUp(): Promise<boolean> {
    const ends = await admin.fetchTopicOffsets(config.ORDER_EVENTS_TOPIC);
    const committed = await committedOffsets();
    // A partition that never had a record has nothing to commit.
    return ends.every((end) => end.high === '0' || committed.get(end.partition) === end.high);
  }

  beforeEach(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    producer = await createEventProducer(config);
    admin = producer.kafka.admin();
    await admin.connect();
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await admin?.disconnect();
    await producer?.close();
    await db?.destroy();
  });

  it('every write refused (P0001): nothing dead-lettered or committed while it lasts; all applied exactly once afterwards', async () => {
    await refuseWrites('true');
    const events = Array.from({ length: 9 }, (_, index) => orderCreated(`ORD-OUTAGE-${index}`));
    await producer.send(events);
    service = await startOrderService(config, { ...FAST, knex: db.knex });

    // Many rounds of batch + record-by-record attempts, all refused, across several fetches of the same records.
    await waitFor(async () => (await refusedWrites()) >= 8 * events.length || (await deadLetterCount()) > 0, { what: 'repeated refused writes', timeoutMs: 60_000 });
    expect(await deadLetterCount(), 'records in the dead-letter topic').to.equal(0);
    expect([...(await committedOffsets()).values()].filter((offset) => offset !== '-1'), 'committed offsets').to.deep.equal([]);
    expect(await countAppliedEvents(db.knex)).to.equal(0);

    await allowWrites();
    await waitFor(async () => (await countAppliedEvents(db.knex)) === events.length, { what: 'every event to be applied', timeoutMs: 60_000 });
    await waitFor(caughtUp, { what: 'the offsets to be committed' });
    expect(await countAppliedEvents(db.knex)).to.equal(events.length);
    const [orders] = (await db.knex('orders').count({ count: '*' })) as Array<{ count: string }>;
    expect(Number(orders?.count)).to.equal(events.length);
    expect(await deadLetterCount(), 'records in the dead-letter topic').to.equal(0);
  });

  it('a record refused while the others of its batch are applied is dead-lettered (PROCESSING_FAILED), the rest applied', async () => {
    await refuseWrites(`NEW.customer_id = 'CUST-BAD'`);
    // One key: one partition, one batch, the refused record between two good ones.
    const bad = orderCreated('ORD-MIXED', { customerId: 'CUST-BAD' });
    const good = orderCreated('ORD-MIXED', { customerId: 'CUST-1' });
    const later = orderCreated('ORD-MIXED-LATER');
    await producer.send([bad, good]);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    await waitFor(async () => (await db.knex('orders').where({ order_id: 'ORD-MIXED' }).first()) !== undefined, { what: 'the good record' });
    await producer.send([later]);
    await waitFor(async () => (await countAppliedEvents(db.knex)) === 2, { what: 'the good records to be applied' });
    await waitFor(caughtUp, { what: 'the offsets to be committed' });

    const deadLetters = await watchDeadLetters(config);
    try {
      const [record] = await waitFor(() => (deadLetters.messages.length > 0 ? deadLetters.messages : undefined), { what: 'the dead letter' });
      expect(deadLetters.messages).to.have.length(1);
      expect(header(record!, 'dlq-error-code')).to.equal('PROCESSING_FAILED');
      expect(header(record!, 'dlq-error-message')).to.contain('orders are refused by the test');
      expect(header(record!, 'event-id')).to.equal(bad.eventId);
    } finally {
      await deadLetters.stop();
    }
  });

  it('a lone refused record is retried, not dead-lettered, until other records show the database accepts writes', async () => {
    await refuseWrites(`NEW.customer_id = 'CUST-BAD'`);
    const bad = orderCreated('ORD-LONE', { customerId: 'CUST-BAD' });
    await producer.send([bad]);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    await waitFor(async () => (await refusedWrites()) >= 8 || (await deadLetterCount()) > 0, { what: 'repeated refused writes of the lone record' });
    expect(await deadLetterCount(), 'records in the dead-letter topic').to.equal(0);

    // Orders on every partition: those behind the bad one join its batch, the others commit elsewhere.
    const goods = Array.from({ length: 12 }, (_, index) => orderCreated(`ORD-LONE-GOOD-${index}`));
    await producer.send(goods);
    await waitFor(async () => (await countAppliedEvents(db.knex)) === goods.length, { what: 'the good records', timeoutMs: 60_000 });
    await waitFor(async () => (await deadLetterCount()) === 1, { what: 'the lone bad record to be dead-lettered', timeoutMs: 60_000 });
    await waitFor(caughtUp, { what: 'the offsets to be committed' });
  });

  it('a redelivered (duplicate) event in the batch is no evidence that the database accepts writes: nothing dead-lettered', async () => {
    const created = orderCreated('ORD-REDELIVERED');
    await producer.send([created]);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    await waitFor(async () => (await countAppliedEvents(db.knex)) === 1, { what: 'the order to be applied' });
    await waitFor(caughtUp, { what: 'its offset to be committed' });
    await service.stop();
    service = undefined;

    // Every write to orders refused; the batch is a second copy of the applied event (a redelivery,
    // which writes nothing) and an update of the same order (same key, same partition).
    await refuseWrites('true');
    await producer.send([created, statusUpdated('ORD-REDELIVERED', 'confirmed', 'pending')]);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    await waitFor(async () => (await refusedWrites()) >= 8 || (await deadLetterCount()) > 0, { what: 'repeated refused writes', timeoutMs: 60_000 });
    expect(await deadLetterCount(), 'records in the dead-letter topic').to.equal(0);

    await allowWrites();
    await waitFor(async () => (await countAppliedEvents(db.knex)) === 2, { what: 'the update to be applied', timeoutMs: 60_000 });
    const order = (await db.knex('orders').where({ order_id: 'ORD-REDELIVERED' }).first()) as { status: string };
    expect(order.status).to.equal('confirmed');
    expect(await deadLetterCount(), 'records in the dead-letter topic').to.equal(0);
  });
});
