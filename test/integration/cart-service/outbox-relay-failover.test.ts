import { expect } from 'chai';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { Config } from '../../../src/config';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { call, startTestCartService, type TestCartService } from './cart-service-harness';
import { decodeOrderEvent } from './event-reader';
import { CART_DATABASE } from '../../../src/cart-service';

/** A request waits this long for Kafka's acknowledgement; far above what a notified standby needs, so a 201 that came by timeout shows. */
const PUBLISH_TIMEOUT_MS = 15_000;
/** How often a standby tries to take over (the default, set here so the takeover bound below follows it). */
const OUTBOX_POLL_INTERVAL_MS = 1_000;
/** The statuses every order of the load goes through, one request each. */
const LIFECYCLE = ['pending', 'confirmed', 'paid', 'shipped'] as const;

interface Envelope {
  success: boolean;
  data?: Record<string, unknown>;
}

/**
 * Reads the topic as the order service does (read committed), each partition in order, and
 * knows when it has read everything written so far: kafkajs reports each fetched batch's last
 * offset, control records included.
 */
async function readTopic(config: Config): Promise<{ consumer: Consumer; ofKey(key: string): KafkaMessage[]; caughtUp(): Promise<void> }> {
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'outbox-failover-test-reader' });
  const consumer = kafka.consumer({ groupId: `${config.CONSUMER_GROUP_ID}-reader`, readUncommitted: false, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const byKey = new Map<string, KafkaMessage[]>();
  const lastOffsetRead = new Map<number, number>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    lastOffsetRead.set(payload.partition, Math.max(lastOffsetRead.get(payload.partition) ?? -1, Number(payload.lastOffset)));
  });
  await consumer.connect();
  await consumer.subscribe({ topic: config.ORDER_EVENTS_TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = String(message.key);
      byKey.set(key, [...(byKey.get(key) ?? []), message]);
    },
  });
  return {
    consumer,
    ofKey: (key) => byKey.get(key) ?? [],
    async caughtUp() {
      const admin = kafka.admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(config.ORDER_EVENTS_TOPIC);
      await admin.disconnect();
      await waitFor(() => ends.every(({ partition, high }) => Number(high) === 0 || (lastOffsetRead.get(partition) ?? -1) >= Number(high) - 1), {
        what: 'the reader to reach the end of every partition',
      });
    },
  };
}

async function relayRole(cart: TestCartService): Promise<string | undefined> {
  const response = await call(cart.baseUrl, 'GET', '/ready');
  return (response.body as Envelope).data?.relay as string | undefined;
}

async function acknowledgedEvents(cart: TestCartService): Promise<number> {
  const { values } = await cart.service.metrics.eventsProduced.get();
  return values.filter((value) => value.labels.outcome === 'acknowledged').reduce((sum, value) => sum + value.value, 0);
}

/** One answered write: the HTTP status and the order status the answer reports. */
interface Answered {
  code: number;
  status: string | undefined;
}

/** Drives `orderId` through the lifecycle, one request after the other, each step on the next instance of `carts` (round robin from `first`). */
async function driveLifecycle(orderId: string, carts: TestCartService[], first: number): Promise<Answered[]> {
  const answered: Answered[] = [];
  for (const [step, status] of LIFECYCLE.entries()) {
    const cart = carts[(first + step) % carts.length]!;
    const response =
      step === 0
        ? await call(cart.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 2 })
        : await call(cart.baseUrl, 'PUT', '/api/update-order', { orderId, status });
    answered.push({ code: response.status, status: (response.body as Envelope).data?.status as string | undefined });
    if (response.status >= 300) break;
  }
  return answered;
}

/** The events of `orderId` on the topic, decoded to "type:status" in topic order, once `count` of them arrived. */
async function topicSequence(config: Config, reader: Awaited<ReturnType<typeof readTopic>>, orderId: string, count: number): Promise<string[]> {
  const messages = await waitFor(() => (reader.ofKey(orderId).length >= count ? reader.ofKey(orderId) : undefined), {
    timeoutMs: 30_000,
    what: `${count} events of ${orderId} on the topic`,
  });
  const decoded = await Promise.all(messages.map((message) => decodeOrderEvent(config, message)));
  return decoded.map((event) => {
    const order = event.order as { status?: unknown } | undefined;
    return `${event.type}:${String(event.type === 'OrderCreated' ? order?.status : event.status)}`;
  });
}

const EXPECTED_SEQUENCE = LIFECYCLE.map((status, step) => `${step === 0 ? 'OrderCreated' : 'OrderStatusUpdated'}:${status}`);

describe('cart service: two instances over one outbox (relay leader election and failover)', function () {
  this.timeout(60_000);
  let config: Config;
  let db: TestDatabase;
  let first: TestCartService | undefined;
  let second: TestCartService | undefined;
  let reader: Awaited<ReturnType<typeof readTopic>> | undefined;

  before(async () => {
    config = testConfig({ PUBLISH_TIMEOUT_MS: String(PUBLISH_TIMEOUT_MS), OUTBOX_POLL_INTERVAL_MS: String(OUTBOX_POLL_INTERVAL_MS) });
    db = await createTestDatabase(CART_DATABASE, config, 90);
    first = await startTestCartService({ db, config });
    second = await startTestCartService({ db, config });
    reader = await readTopic(config);
  });

  after(async () => {
    await reader?.consumer.disconnect();
    await first?.stop();
    await second?.stop();
    await db?.destroy();
  });

  /** The instances in their current roles, as each reports on /ready. */
  async function roles(): Promise<{ leader: TestCartService; standby: TestCartService }> {
    const [firstRole, secondRole] = await Promise.all([relayRole(first!), relayRole(second!)]);
    expect([firstRole, secondRole].sort(), 'relay roles reported on /ready').to.deep.equal(['leader', 'standby']);
    return firstRole === 'leader' ? { leader: first!, standby: second! } : { leader: second!, standby: first! };
  }

  it('exactly one instance leads the relay; a create sent to the standby is answered 201 once the leader published it, long before the publish timeout', async () => {
    const { leader, standby } = await roles();
    expect(leader.service.relayRole()).to.equal('leader');
    expect(standby.service.relayRole()).to.equal('standby');

    const orderId = `STANDBY-${uniqueSuffix()}`;
    const started = Date.now();
    const response = await call(standby.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 1 });
    const elapsedMs = Date.now() - started;
    expect(response.status, JSON.stringify(response.body)).to.equal(201);
    // Had the standby not heard the leader's notification, it would have waited out PUBLISH_TIMEOUT_MS.
    expect(elapsedMs, 'the standby heard of the publication instead of waiting out the timeout').to.be.lessThan(5_000);
    expect(await topicSequence(config, reader!, orderId, 1)).to.deep.equal(['OrderCreated:pending']);
    expect(await acknowledgedEvents(standby), 'the standby published nothing itself').to.equal(0);
    expect(await acknowledgedEvents(leader), 'the leader published it').to.be.greaterThan(0);
  });

  it('a standby told Kafka is down refuses writes (503, nothing stored) and is put right by the leader\'s next word, without a restart', async () => {
    const { standby } = await roles();
    // A "Kafka is down" notice on the relay channel, as a leader sends it; the real leader knows better.
    const oid = ((await db.knex.raw(`SELECT 'cart_outbox'::regclass::oid::bigint AS oid`)).rows as Array<{ oid: string }>)[0]?.oid;
    await db.knex.raw('SELECT pg_notify(?, ?)', [`orderflow_outbox_${oid}_relay`, 'kafka-down:a notice from the test']);
    const refused = await waitFor(
      async () => {
        const orderId = `PROBE-${uniqueSuffix()}`;
        const response = await call(standby.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 1 });
        return response.status === 503 ? { orderId, response } : undefined;
      },
      { timeoutMs: 2_000, intervalMs: 5, what: 'the standby to refuse a write after the notice' },
    );
    expect((refused.response.body as { message: string }).message).to.match(/Kafka is unavailable \(a notice from the test\)/);
    expect(await db.knex('cart_orders').where({ order_id: refused.orderId }).first(), 'the refused write stored nothing').to.equal(undefined);
    // The idle leader probes Kafka every OUTBOX_POLL_INTERVAL_MS and tells every instance what it found.
    await waitFor(
      async () => (await call(standby.baseUrl, 'POST', '/api/create-order', { orderId: `AGAIN-${uniqueSuffix()}`, numItems: 1 })).status === 201,
      { timeoutMs: 5_000, intervalMs: 100, what: 'the standby to accept writes again once the leader has spoken' },
    );
  });

  it('under concurrent creates and updates spread over both instances, each order\'s events are on the topic once each, in the order they were answered', async () => {
    const carts = [first!, second!];
    const orderIds = Array.from({ length: 40 }, (_, index) => `LOAD-${index}-${uniqueSuffix()}`);
    const answers = await Promise.all(orderIds.map((orderId, index) => driveLifecycle(orderId, carts, index)));
    for (const [index, answered] of answers.entries()) {
      expect(answered, `answers for ${orderIds[index]}`).to.deep.equal(LIFECYCLE.map((status, step) => ({ code: step === 0 ? 201 : 200, status })));
    }

    await reader!.caughtUp();
    for (const orderId of orderIds) {
      expect(await topicSequence(config, reader!, orderId, LIFECYCLE.length), `events of ${orderId} in topic order`).to.deep.equal(EXPECTED_SEQUENCE);
    }
    const eventIds = orderIds.flatMap((orderId) => reader!.ofKey(orderId).map((message) => String(message.headers?.['event-id'])));
    expect(new Set(eventIds).size, 'every event id once').to.equal(orderIds.length * LIFECYCLE.length);
    expect(await db.knex('cart_outbox').count({ count: '*' }).first(), 'the outbox is drained').to.deep.equal({ count: '0' });
  });

  it('when a create and an update of one order arrive together (one group commit), OrderCreated is on the topic before the OrderStatusUpdated decided against it', async () => {
    // The client sends the update first and the create right after, without waiting: both land
    // in the same batch of the instance. Whatever the cart decides (the update refused as 404,
    // or applied to the order just created), the topic must carry the order's events in the
    // order they took effect: a status update is never published ahead of the order it changed.
    const carts = [first!, second!];
    const orderIds = Array.from({ length: 20 }, (_, index) => `PAIR-${index}-${uniqueSuffix()}`);
    const pairs = await Promise.all(
      orderIds.map(async (orderId, index) => {
        const cart = carts[index % carts.length]!;
        const update = call(cart.baseUrl, 'PUT', '/api/update-order', { orderId, status: 'confirmed' });
        const create = call(cart.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 1 });
        return { orderId, update: (await update).status, create: (await create).status };
      }),
    );
    for (const pair of pairs) {
      expect(pair.create, `create of ${pair.orderId}`).to.equal(201);
      expect([200, 404], `update of ${pair.orderId}`).to.include(pair.update);
    }
    await reader!.caughtUp();
    const misordered: string[] = [];
    for (const pair of pairs) {
      const expected = pair.update === 200 ? ['OrderCreated:pending', 'OrderStatusUpdated:confirmed'] : ['OrderCreated:pending'];
      const actual = await topicSequence(config, reader!, pair.orderId, expected.length);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) misordered.push(`${pair.orderId}: ${actual.join(' -> ')}`);
    }
    const bothApplied = pairs.filter((pair) => pair.update === 200).length;
    expect(misordered, `orders whose events are not in the order they took effect (${misordered.length} of ${bothApplied} with both writes applied)`).to.deep.equal([]);
  });

  it('when the leader stops, the standby takes over within a few seconds and writes — sent during and after the takeover — are answered 201/200 and published in order', async () => {
    const { leader, standby } = await roles();
    const before = await acknowledgedEvents(standby);

    // Writes to the standby from just before the leader stops until after the takeover: none
    // may fail, and the ones committed before the takeover are published by the new leader.
    const orderIds = Array.from({ length: 10 }, (_, index) => `FAILOVER-${index}-${uniqueSuffix()}`);
    const load = Promise.all(orderIds.map((orderId) => driveLifecycle(orderId, [standby], 0)));
    const stopped = Date.now();
    await leader.stop();
    const duringTakeover = `TAKEOVER-${uniqueSuffix()}`;
    const takeoverWrite = call(standby.baseUrl, 'POST', '/api/create-order', { orderId: duringTakeover, numItems: 1 });

    await waitFor(async () => (await relayRole(standby)) === 'leader', { timeoutMs: 5_000, intervalMs: 50, what: 'the standby to become the relay leader' });
    const takeoverMs = Date.now() - stopped;
    console.log(`      relay takeover ${takeoverMs} ms after the leader stopped`);
    expect(takeoverMs, 'takeover within a few poll intervals').to.be.lessThan(OUTBOX_POLL_INTERVAL_MS * 4);

    expect((await takeoverWrite).status, 'the create sent while nobody led').to.equal(201);
    for (const [index, answered] of (await load).entries()) {
      expect(answered, `answers for ${orderIds[index]}`).to.deep.equal(LIFECYCLE.map((status, step) => ({ code: step === 0 ? 201 : 200, status })));
    }
    const after = `AFTER-${uniqueSuffix()}`;
    const afterAnswers = await driveLifecycle(after, [standby], 0);
    expect(afterAnswers.map((answer) => answer.code)).to.deep.equal([201, 200, 200, 200]);

    expect(await topicSequence(config, reader!, duringTakeover, 1)).to.deep.equal(['OrderCreated:pending']);
    await reader!.caughtUp();
    for (const orderId of [...orderIds, after]) {
      expect(await topicSequence(config, reader!, orderId, LIFECYCLE.length), `events of ${orderId} in topic order`).to.deep.equal(EXPECTED_SEQUENCE);
    }
    expect(await acknowledgedEvents(standby), 'the new leader published').to.be.greaterThan(before);
    expect(await db.knex('cart_outbox').count({ count: '*' }).first(), 'the outbox is drained').to.deep.equal({ count: '0' });
  });
});
