import { expect } from 'chai';
import pino from 'pino';
import type { Config } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { createMetrics } from '../../../src/lib/metrics';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createOrderRetentionStore } from '../../../src/order-service/order-retention-store';
import { createOrderRetention } from '../../../src/order-service/order-retention';
import { createDeadLetterStore } from '../../../src/order-service/dead-letter-store';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, orderCreated, statusUpdated } from './order-service-fixtures';

/**
 * The dedup window bounds what the order service remembers beyond its orders: parked updates
 * whose order never came are refused, refused events are forgotten; applied history stays.
 */
describe('order service: the dedup window', function () {
  this.timeout(90_000);
  const WINDOW_SECONDS = 7 * 86_400;
  const DEAD_LETTER_RETENTION_SECONDS = 30 * 86_400;
  let config: Config;
  let db: TestDatabase;
  let producer: Awaited<ReturnType<typeof createEventProducer>>;
  let service: RunningOrderService | undefined;

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    producer = await createEventProducer(config);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
  });
  after(async () => {
    await service?.stop();
    await producer?.close();
    await db?.destroy();
  });

  const history = (eventId: string) => db.knex('order_events').where({ event_id: eventId }).first() as Promise<{ outcome: string; reason: string | null } | undefined>;

  it('refuses a parked update older than the window, forgets old refusals, keeps applied history, and a late order then ignores the expired update', async () => {
    const created = orderCreated('RET-1');
    const applied = statusUpdated('RET-1', 'confirmed', 'pending');
    const illegal = statusUpdated('RET-1', 'pending', 'confirmed');
    const orphan = statusUpdated('RET-LATE', 'confirmed', 'pending');
    await producer.send([created, applied, illegal, orphan]);
    await waitFor(async () => (await history(illegal.eventId))?.outcome === 'rejected', { what: 'the illegal transition refused' });
    await waitFor(async () => (await db.knex('pending_status_updates').where({ event_id: orphan.eventId }).first()) !== undefined, { what: 'the orphan update parked' });

    // Age what the window measures, as if eight days had passed.
    await db.knex('pending_status_updates').update({ received_at: db.knex.raw("now() - interval '8 days'") });
    await db.knex('order_events').where({ outcome: 'rejected' }).update({ recorded_at: db.knex.raw("now() - interval '8 days'") });

    const metrics = createMetrics('order-service');
    const enforce = createOrderRetention({ store: createOrderRetentionStore({ knex: db.knex }), deadLetters: createDeadLetterStore(db.knex), windowSeconds: WINDOW_SECONDS, deadLetterRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS, metrics, logger: createLogger('silent') });
    expect(await enforce()).to.deep.equal({ expired: 1, pruned: 1, deadLettersPruned: 0 });

    expect(await history(illegal.eventId), 'the old refusal is forgotten').to.equal(undefined);
    expect((await history(applied.eventId))?.outcome, 'applied history stays').to.equal('applied');
    expect((await history(created.eventId))?.outcome).to.equal('applied');
    const expired = await history(orphan.eventId);
    expect(expired?.outcome, 'the orphan is refused in the history').to.equal('rejected');
    expect(expired?.reason).to.match(/did not arrive within the dedup window/);
    expect(await db.knex('pending_status_updates').count({ count: '*' }).first()).to.deep.equal({ count: '0' });
    const { values } = await metrics.eventsConsumed.get();
    expect(values.find((value) => value.labels.outcome === 'expired')?.value).to.equal(1);

    // A second pass finds nothing new: the refusal just recorded is young.
    expect(await enforce()).to.deep.equal({ expired: 0, pruned: 0, deadLettersPruned: 0 });

    // The order arrives after the window, and the expired update is redelivered: neither applies it.
    const late = orderCreated('RET-LATE');
    await producer.send([late, orphan]);
    await waitFor(async () => (await history(late.eventId))?.outcome === 'applied', { what: 'the late order applied' });
    const order = (await db.knex('orders').where({ order_id: 'RET-LATE' }).first()) as { status: string };
    expect(order.status, 'the expired update was not applied').to.equal('pending');
    expect((await history(orphan.eventId))?.outcome).to.equal('rejected');
  });

  it('deletes dead letters older than DEAD_LETTER_RETENTION from the index, replayed or not, but not one being replayed (a stale claim is not)', async () => {
    const deadLetter = (recordId: string, daysAgo: number, replay: Record<string, unknown> = {}) => ({
      record_id: recordId,
      dlq_topic: `${config.ORDER_EVENTS_TOPIC}.dlq`,
      dlq_partition: 0,
      dlq_offset: Number(recordId.split('/').at(-1)),
      headers: JSON.stringify([]),
      dead_lettered_at: db.knex.raw(`now() - make_interval(days => ?)`, [daysAgo]),
      ...replay,
    });
    const topic = `${config.ORDER_EVENTS_TOPIC}.dlq`;
    await db.knex('dead_letters').insert([
      deadLetter(`${topic}/0/1`, 31),
      deadLetter(`${topic}/0/2`, 31, { replay_started_at: db.knex.raw("now() - interval '31 days'"), replayed_by: 'alice', replayed_at: db.knex.raw("now() - interval '31 days'") }),
      deadLetter(`${topic}/0/3`, 31, { replay_started_at: db.knex.raw("now() - interval '10 seconds'"), replayed_by: 'bob' }),
      deadLetter(`${topic}/0/4`, 29),
      // A claim gone stale (its replay never recorded Kafka's acknowledgement): not under way any more.
      deadLetter(`${topic}/0/5`, 31, { replay_started_at: db.knex.raw("now() - interval '10 minutes'"), replayed_by: 'carol' }),
    ]);
    const enforce = createOrderRetention({
      store: createOrderRetentionStore({ knex: db.knex }),
      deadLetters: createDeadLetterStore(db.knex),
      windowSeconds: WINDOW_SECONDS,
      deadLetterRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
      metrics: createMetrics('order-service'),
      logger: createLogger('silent'),
    });
    expect((await enforce()).deadLettersPruned).to.equal(3);
    const kept = (await db.knex('dead_letters').where('record_id', 'like', `${topic}/%`).orderBy('dlq_offset').pluck('record_id')) as string[];
    expect(kept, 'the replay under way and the young dead letter stay').to.deep.equal([`${topic}/0/3`, `${topic}/0/4`]);
  });

  it('reports, not throws, when the database is unreachable', async () => {
    const metrics = createMetrics('order-service');
    const broken = await createTestDatabase(ORDER_DATABASE, testConfig());
    const store = createOrderRetentionStore({ knex: broken.knex });
    await broken.destroy();
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const enforce = createOrderRetention({ store, deadLetters: createDeadLetterStore(broken.knex), windowSeconds: WINDOW_SECONDS, deadLetterRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS, metrics, logger });
    expect(await enforce()).to.deep.equal({ expired: 0, pruned: 0, deadLettersPruned: 0 });
    expect(lines.filter((line) => line.includes('could not enforce the dedup window')), 'the failure is reported').to.have.length(1);
    expect(lines.filter((line) => line.includes('could not enforce DEAD_LETTER_RETENTION')), 'and the dead-letter retention\'s').to.have.length(1);
  });
});
