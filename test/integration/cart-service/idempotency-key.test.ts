import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Client } from 'pg';
import type { ConfigKey } from '../../../src/config';
import type { OrderJson } from '../../../src/domain';
import { createIdempotencyStore, fingerprintOf, type IdempotencyClaim } from '../../../src/cart-service/idempotency';
import { acquirePgConnection, openSession } from '../../../src/lib/db';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createMetrics } from '../../../src/lib/metrics';
import { uniqueSuffix } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { call, collectTopic, expectMatchesOpenApi, startTestCartService, validOrderBody, type ApiResponse, type TestCartService } from './cart-service-harness';
import { decodeOrderEvent } from './event-reader';

const CREATE = '/api/create-order';
const UPDATE = '/api/update-order';

interface ErrorBody {
  success: false;
  code: string;
  message: string;
  errors?: Array<{ field: string; message: string }>;
}

type OrderData = OrderJson;

interface CartOrderData extends OrderData {
  lastEvent?: { eventId: string; eventType: string; published: boolean };
}

/** An answer with its body exactly as sent, to compare replays byte for byte. */
interface Reply extends ApiResponse {
  text: string;
}

const newOrderId = () => `ORDER-${uniqueSuffix()}`;
const newKey = () => `"${randomUUID()}"`;

/** Sends a JSON write, with an Idempotency-Key header when `idempotencyKey` is given, and checks the answer against the OpenAPI document. */
async function send(cart: TestCartService, method: 'POST' | 'PUT', path: string, body: unknown, idempotencyKey?: string): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
  const response = await fetch(`${cart.baseUrl}${path}`, { method, headers, body: JSON.stringify(body) });
  const text = await response.text();
  const reply: Reply = { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown, text };
  expectMatchesOpenApi(method === 'POST' ? 'post' : 'put', path, reply);
  return reply;
}

const create = (cart: TestCartService, body: unknown, idempotencyKey?: string) => send(cart, 'POST', CREATE, body, idempotencyKey);
const update = (cart: TestCartService, body: unknown, idempotencyKey?: string) => send(cart, 'PUT', UPDATE, body, idempotencyKey);

/** Answers of GET /api/orders/{orderId} in the running test, checked against the OpenAPI document once its behaviour is asserted. */
const getAnswers: Array<{ path: string; response: ApiResponse }> = [];

/** GET /api/orders/{orderId}; see {@link expectGetAnswersMatchOpenApi}. */
async function orderAsTheCartKnowsIt(cart: TestCartService, orderId: string): Promise<ApiResponse> {
  const path = `/api/orders/${encodeURIComponent(orderId)}`;
  const response = await call(cart.baseUrl, 'GET', path);
  getAnswers.push({ path, response });
  return response;
}

/** The OpenAPI check of every GET of the test, last, so that a mismatch does not hide what the test shows about behaviour. */
function expectGetAnswersMatchOpenApi(): void {
  expect(getAnswers).to.not.have.length(0);
  for (const { path, response } of getAnswers) expectMatchesOpenApi('get', path, response);
}

/** The order's row in the cart's own record (cart_orders), or undefined. */
async function storedOrder(cart: TestCartService, orderId: string): Promise<{ status: string; order: OrderData } | undefined> {
  return cart.db.knex('cart_orders').where({ order_id: orderId }).first('status', 'order');
}

const dataOf = (reply: ApiResponse) => (reply.body as { data: CartOrderData }).data;
const errorOf = (reply: ApiResponse) => reply.body as ErrorBody;

/**
 * How many records the cart's topic holds once everything committed is published: waits for the
 * outbox to drain, then adds up the partitions' offsets (the topic is the test's own, and the
 * producer is not transactional, so offsets count records).
 */
async function recordsPublished(cart: TestCartService): Promise<number> {
  await waitFor(async () => Number((await cart.db.knex('cart_outbox').count({ rows: '*' }).first())?.rows) === 0, { what: 'the outbox to drain' });
  const admin = createKafkaClient({ brokers: cart.config.KAFKA_BROKERS, clientId: 'idempotency-key-test' }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(cart.config.ORDER_EVENTS_TOPIC);
    return offsets.reduce((sum, { low, high }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}

const storedKeys = async (cart: TestCartService): Promise<string[]> =>
  (await cart.db.knex('cart_idempotency_keys').select('idempotency_key').orderBy('idempotency_key')).map((row: { idempotency_key: string }) => row.idempotency_key);

describe('cart service: the Idempotency-Key header', function () {
  this.timeout(90_000);
  let started: TestCartService | undefined;
  let topic: Awaited<ReturnType<typeof collectTopic>> | undefined;
  let lockHolder: Client | undefined;

  /** Each test gets a cart of its own (own topic, own schema), destroyed after it. */
  async function startCart(overrides: Partial<Record<ConfigKey, string>> = {}): Promise<TestCartService> {
    started = await startTestCartService({ overrides });
    return started;
  }

  beforeEach(() => {
    getAnswers.length = 0;
  });

  afterEach(async () => {
    await lockHolder?.end().catch(() => undefined);
    lockHolder = undefined;
    await topic?.consumer.disconnect();
    topic = undefined;
    await started?.destroy();
    started = undefined;
  });

  describe('when the key is malformed', () => {
    const malformed: Array<{ what: string; header: string }> = [
      { what: 'an empty structured-field string', header: '""' },
      { what: 'a key of 256 characters', header: 'k'.repeat(256) },
      { what: 'a key with a space', header: '"two words"' },
      { what: 'a key with a character beyond ASCII', header: 'clé' },
    ];

    it('answers 400 VALIDATION_FAILED naming Idempotency-Key on create and update, and stores nothing', async () => {
      const cart = await startCart();
      for (const { what, header } of malformed) {
        const orderId = newOrderId();
        const created = await create(cart, { orderId, numItems: 1 }, header);
        expect(created.status, what).to.equal(400);
        expect(errorOf(created).code, what).to.equal('VALIDATION_FAILED');
        expect(errorOf(created).errors?.map((error) => error.field), what).to.deep.equal(['Idempotency-Key']);
        expect(await storedOrder(cart, orderId), `${what}: no order`).to.equal(undefined);

        const updated = await update(cart, { orderId, status: 'confirmed' }, header);
        expect(updated.status, what).to.equal(400);
        expect(errorOf(updated).errors?.map((error) => error.field), what).to.deep.equal(['Idempotency-Key']);
      }
      expect(await storedKeys(cart)).to.deep.equal([]);
    });

    it('accepts a key of 255 visible ASCII characters, quoted or bare', async () => {
      const cart = await startCart();
      const key = `${'!~'.repeat(127)}k`;
      expect(key).to.have.length(255);
      expect((await create(cart, { orderId: newOrderId(), numItems: 1 }, key)).status).to.equal(201);
      expect((await create(cart, { orderId: newOrderId(), numItems: 1 }, `"${key.replace(/~/g, '-')}"`)).status).to.equal(201);
      expect(await storedKeys(cart)).to.have.members([key, key.replace(/~/g, '-')]);
    });
  });

  describe('when a request is repeated with the same key and body', () => {
    it('replays the first 201 byte for byte, with the customer, items and total it generated, and publishes one OrderCreated', async () => {
      const cart = await startCart();
      topic = await collectTopic(cart.config);
      const orderId = newOrderId();
      const key = newKey();
      const first = await create(cart, { orderId, numItems: 3 }, key);
      expect(first.status).to.equal(201);
      const generated = dataOf(first);
      expect(generated.items).to.have.length(3);

      for (let repeat = 0; repeat < 3; repeat += 1) {
        const again = await create(cart, { orderId, numItems: 3 }, key);
        expect(again.status).to.equal(201);
        expect(again.text).to.equal(first.text);
      }

      expect(await recordsPublished(cart), 'records on the topic').to.equal(1);
      const [message] = await topic.waitForKey(orderId);
      const event = await decodeOrderEvent(cart.config, message!);
      expect(event.type).to.equal('OrderCreated');
      const published = event.order as OrderData;
      expect({ customerId: published.customerId, items: published.items, totalAmount: published.totalAmount }).to.deep.equal({
        customerId: generated.customerId,
        items: generated.items,
        totalAmount: generated.totalAmount,
      });
    });

    it('takes a body with its keys in another order for the same request', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      const key = newKey();
      const body = validOrderBody(orderId);
      const first = await create(cart, body, key);
      expect(first.status).to.equal(201);
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      expect(Object.keys(reordered)[0]).to.equal('currency');
      const again = await create(cart, reordered, key);
      expect(again.status).to.equal(201);
      expect(again.text).to.equal(first.text);
    });

    it('takes the structured-field string "abc" and the bare token abc for the same key', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      const token = randomUUID();
      const first = await create(cart, { orderId, numItems: 2 }, `"${token}"`);
      expect(first.status).to.equal(201);
      const again = await create(cart, { orderId, numItems: 2 }, token);
      expect(again.status).to.equal(201);
      expect(again.text).to.equal(first.text);
      expect(await storedKeys(cart)).to.deep.equal([token]);
    });

    it('replays the 200 of an update even after the order moved on, and publishes one OrderStatusUpdated for it', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      expect((await create(cart, { orderId, numItems: 1 })).status).to.equal(201);
      const key = newKey();
      const confirmed = await update(cart, { orderId, status: 'confirmed' }, key);
      expect(confirmed.status).to.equal(200);
      expect(dataOf(confirmed).status).to.equal('confirmed');
      const again = await update(cart, { orderId, status: 'confirmed' }, key);
      expect(again.status).to.equal(200);
      expect(again.text).to.equal(confirmed.text);

      expect((await update(cart, { orderId, status: 'paid' }, newKey())).status).to.equal(200);
      // Executed anew, confirming a paid order would be an illegal transition (409).
      const later = await update(cart, { orderId, status: 'confirmed' }, key);
      expect(later.status).to.equal(200);
      expect(later.text).to.equal(confirmed.text);
      expect((await storedOrder(cart, orderId))?.status).to.equal('paid');
      expect(await recordsPublished(cart), 'OrderCreated, confirmed, paid').to.equal(3);
    });
  });

  describe('when the same key comes with another request', () => {
    it('answers 422 IDEMPOTENCY_KEY_REUSED naming the key for another body, and creates nothing', async () => {
      const cart = await startCart();
      const key = newKey();
      const orderId = newOrderId();
      const first = await create(cart, { orderId, numItems: 2 }, key);
      expect(first.status).to.equal(201);

      const otherOrderId = newOrderId();
      const otherOrder = await create(cart, { orderId: otherOrderId, numItems: 2 }, key);
      expect(otherOrder.status).to.equal(422);
      expect(errorOf(otherOrder).code).to.equal('IDEMPOTENCY_KEY_REUSED');
      expect(errorOf(otherOrder).message).to.include(key.slice(1, -1));
      const otherCount = await create(cart, { orderId, numItems: 3 }, key);
      expect(otherCount.status).to.equal(422);
      expect(errorOf(otherCount).code).to.equal('IDEMPOTENCY_KEY_REUSED');

      expect(await storedOrder(cart, otherOrderId)).to.equal(undefined);
      expect((await storedOrder(cart, orderId))?.order.items).to.have.length(2);
      expect(await recordsPublished(cart), 'records on the topic').to.equal(1);
      // The key still holds its first answer.
      expect((await create(cart, { orderId, numItems: 2 }, key)).text).to.equal(first.text);
    });

    it('answers 422 when the key was first used on the other endpoint, and the order keeps its status', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      const key = newKey();
      expect((await create(cart, { orderId, numItems: 1 }, key)).status).to.equal(201);
      const updated = await update(cart, { orderId, status: 'confirmed' }, key);
      expect(updated.status).to.equal(422);
      expect(errorOf(updated).code).to.equal('IDEMPOTENCY_KEY_REUSED');
      expect((await storedOrder(cart, orderId))?.status).to.equal('pending');

      const otherOrderId = newOrderId();
      expect((await create(cart, { orderId: otherOrderId, numItems: 1 })).status).to.equal(201);
      const updateKey = newKey();
      expect((await update(cart, { orderId: otherOrderId, status: 'confirmed' }, updateKey)).status).to.equal(200);
      const thirdOrderId = newOrderId();
      const created = await create(cart, { orderId: thirdOrderId, numItems: 1 }, updateKey);
      expect(created.status).to.equal(422);
      expect(errorOf(created).code).to.equal('IDEMPOTENCY_KEY_REUSED');
      expect(await storedOrder(cart, thirdOrderId)).to.equal(undefined);
      expect(await recordsPublished(cart), 'two OrderCreated, one OrderStatusUpdated').to.equal(3);
    });
  });

  describe('when the first answer was a refusal', () => {
    it('replays a 404 for an unknown order even after the order is created', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      const key = newKey();
      const unknown = await update(cart, { orderId, status: 'confirmed' }, key);
      expect(unknown.status).to.equal(404);
      expect(errorOf(unknown).code).to.equal('NOT_FOUND');

      expect((await create(cart, { orderId, numItems: 1 })).status).to.equal(201);
      const again = await update(cart, { orderId, status: 'confirmed' }, key);
      expect(again.status).to.equal(404);
      expect(again.text).to.equal(unknown.text);
      expect((await storedOrder(cart, orderId))?.status, 'the replay changed nothing').to.equal('pending');
      // The same update under a new key executes.
      expect((await update(cart, { orderId, status: 'confirmed' }, newKey())).status).to.equal(200);
    });

    it('replays a 409 for a duplicate order id', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      expect((await create(cart, { orderId, numItems: 1 })).status).to.equal(201);
      const key = newKey();
      const duplicate = await create(cart, validOrderBody(orderId), key);
      expect(duplicate.status).to.equal(409);
      expect(errorOf(duplicate).code).to.equal('CONFLICT');
      const again = await create(cart, validOrderBody(orderId), key);
      expect(again.status).to.equal(409);
      expect(again.text).to.equal(duplicate.text);
      expect(await recordsPublished(cart), 'records on the topic').to.equal(1);
    });
  });

  describe('when requests with one key arrive together', () => {
    it('gives 10 concurrent creates the same 201, stores one order and publishes one OrderCreated', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      const key = newKey();
      const replies = await Promise.all(Array.from({ length: 10 }, () => create(cart, { orderId, numItems: 2 }, key)));
      expect(replies.map((reply) => reply.status)).to.deep.equal(Array.from({ length: 10 }, () => 201));
      expect(new Set(replies.map((reply) => reply.text)).size, 'distinct bodies').to.equal(1);
      expect(await storedOrder(cart, orderId)).to.deep.include({ status: 'pending' });
      expect(await recordsPublished(cart), 'records on the topic').to.equal(1);
    });

    it('gives 10 concurrent updates the same 200 and publishes one OrderStatusUpdated', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      expect((await create(cart, { orderId, numItems: 1 })).status).to.equal(201);
      const key = newKey();
      const replies = await Promise.all(Array.from({ length: 10 }, () => update(cart, { orderId, status: 'cancelled' }, key)));
      expect(replies.map((reply) => reply.status)).to.deep.equal(Array.from({ length: 10 }, () => 200));
      expect(new Set(replies.map((reply) => reply.text)).size, 'distinct bodies').to.equal(1);
      expect(await recordsPublished(cart), 'OrderCreated and one OrderStatusUpdated').to.equal(2);
    });

    it('gives concurrent creates with one key the same answer when two cart instances share the database', async () => {
      const first = await startCart();
      const second = await startTestCartService({ db: first.db, config: first.config });
      try {
        const orderId = newOrderId();
        const key = newKey();
        const replies = await Promise.all(Array.from({ length: 10 }, (_, index) => create(index % 2 === 0 ? first : second, { orderId, numItems: 2 }, key)));
        expect(replies.map((reply) => reply.status)).to.deep.equal(Array.from({ length: 10 }, () => 201));
        expect(new Set(replies.map((reply) => reply.text)).size, 'distinct bodies').to.equal(1);
        expect(await recordsPublished(first), 'records on the topic').to.equal(1);
      } finally {
        await second.stop();
      }
    });

    it('lets two instances claim the same keys in opposite orders at once without a deadlock, each key claimed once', async () => {
      // Two instances whose batches hold the same keys in other orders (clients retrying against a
      // load balancer). A third transaction holds m and n, so that each claim stops halfway holding
      // its first key; once it lets go, each claim wants the key the other one holds.
      const cart = await startCart();
      const { knex, schema } = cart.db;
      const store = createIdempotencyStore({ metrics: createMetrics('cart-service'), ttlSeconds: 3_600 });
      const claim = (key: string): IdempotencyClaim => ({ key, fingerprint: fingerprintOf('create-order', { orderId: key, numItems: 1 }) });
      /** A transaction on a connection of the pool, as the cart's writes use (BEGIN here, COMMIT or ROLLBACK by the caller). */
      const begin = async () => {
        const connection = await acquirePgConnection(knex);
        await connection.raw.query('BEGIN');
        const end = async (statement: 'COMMIT' | 'ROLLBACK') => {
          await connection.raw.query(statement).finally(() => connection.release());
        };
        return { tx: connection.sql, commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
      };
      const claimInItsOwnTransaction = async (claims: IdempotencyClaim[]): Promise<string[]> => {
        const transaction = await begin();
        try {
          const claimed = await store.claim(transaction.tx, claims);
          await transaction.commit();
          return [...claimed];
        } catch (error) {
          await transaction.rollback().catch(() => undefined);
          throw error;
        }
      };
      const waitingForLocks = async (): Promise<number> => {
        const { rows } = (await knex.raw(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE application_name = ? AND wait_event_type = 'Lock'`, [
          schema,
        ])) as { rows: Array<{ waiting: number }> };
        return rows[0]?.waiting ?? 0;
      };

      const gate = await begin();
      await store.claim(gate.tx, [claim('m'), claim('n')]);
      const first = claimInItsOwnTransaction([claim('a'), claim('m'), claim('b')]);
      const second = claimInItsOwnTransaction([claim('b'), claim('n'), claim('a')]);
      await waitFor(async () => (await waitingForLocks()) === 2, { what: 'both claims to wait' });
      await gate.rollback();

      const outcomes = await Promise.allSettled([first, second]);
      expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? 'claimed' : String(outcome.reason)))).to.deep.equal(['claimed', 'claimed']);
      const claimed = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []));
      expect(claimed.sort()).to.deep.equal(['a', 'b', 'm', 'n']);
    });
  });

  describe('without the header', () => {
    it('answers 409 to a repeated create, as before, and remembers no key', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      expect((await create(cart, { orderId, numItems: 1 })).status).to.equal(201);
      const again = await create(cart, { orderId, numItems: 1 });
      expect(again.status).to.equal(409);
      expect(errorOf(again).code).to.equal('CONFLICT');
      expect(await storedKeys(cart)).to.deep.equal([]);
    });
  });

  describe('when the key has outlived IDEMPOTENCY_TTL', () => {
    it('executes the request anew: a repeated create answers 409 because the order exists, and that answer is kept', async () => {
      const cart = await startCart({ IDEMPOTENCY_TTL: '1s' });
      const orderId = newOrderId();
      const key = newKey();
      const first = await create(cart, { orderId, numItems: 1 }, key);
      expect(first.status).to.equal(201);
      expect((await create(cart, { orderId, numItems: 1 }, key)).text, 'replayed within the TTL').to.equal(first.text);

      await sleep(1_500); // let the TTL pass
      const afterTtl = await create(cart, { orderId, numItems: 1 }, key);
      expect(afterTtl.status).to.equal(409);
      expect(errorOf(afterTtl).code).to.equal('CONFLICT');
      const replayed = await create(cart, { orderId, numItems: 1 }, key);
      expect(replayed.text).to.equal(afterTtl.text);
      expect(await recordsPublished(cart), 'records on the topic').to.equal(1);
    });

    it('lets another body use the key once it expired', async () => {
      const cart = await startCart({ IDEMPOTENCY_TTL: '1s' });
      const key = newKey();
      expect((await create(cart, { orderId: newOrderId(), numItems: 1 }, key)).status).to.equal(201);
      await sleep(1_500); // let the TTL pass
      const orderId = newOrderId();
      const reused = await create(cart, { orderId, numItems: 1 }, key);
      expect(reused.status).to.equal(201);
      expect(dataOf(reused).orderId).to.equal(orderId);
    });

    it('is deleted from cart_idempotency_keys by pruning, while a live key stays', async () => {
      const cart = await startCart({ IDEMPOTENCY_TTL: '1s' });
      const store = createIdempotencyStore({ metrics: createMetrics('cart-service'), ttlSeconds: cart.config.IDEMPOTENCY_TTL });
      const expired = randomUUID();
      expect((await create(cart, { orderId: newOrderId(), numItems: 1 }, expired)).status).to.equal(201);
      await sleep(1_500); // let the TTL pass
      const live = randomUUID();
      expect((await create(cart, { orderId: newOrderId(), numItems: 1 }, live)).status).to.equal(201);
      expect(await storedKeys(cart)).to.have.members([expired, live]);

      expect(await store.prune(cart.db.knex)).to.equal(1);
      expect(await storedKeys(cart)).to.deep.equal([live]);
    });
  });

  describe('what the answer promises', () => {
    it('201 means acknowledged by Kafka: the order as the cart knows it shows its OrderCreated published, under the id on the topic', async () => {
      const cart = await startCart();
      topic = await collectTopic(cart.config);
      const orderId = newOrderId();
      const created = await create(cart, { orderId, numItems: 2 }, newKey());
      expect(created.status).to.equal(201);

      const known = await orderAsTheCartKnowsIt(cart, orderId);
      expect(known.status).to.equal(200);
      const { lastEvent, ...order } = dataOf(known);
      expect(order).to.deep.equal(dataOf(created));
      expect(lastEvent).to.include({ eventType: 'OrderCreated', published: true });
      const [message] = await topic.waitForKey(orderId);
      expect(message!.headers?.['event-id']?.toString()).to.equal(lastEvent?.eventId);
      expectGetAnswersMatchOpenApi();
    });

    it('201 means acknowledged by Kafka: a GET right after it never shows the event unpublished (480 creates from 8 clients)', async () => {
      const cart = await startCart();
      const shownUnpublished: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let index = 0; index < 60; index += 1) {
            const orderId = newOrderId();
            expect((await create(cart, { orderId, numItems: 1 })).status).to.equal(201);
            const known = await orderAsTheCartKnowsIt(cart, orderId);
            if (dataOf(known).lastEvent?.published !== true) shownUnpublished.push(orderId);
          }
        }),
      );
      expect(shownUnpublished, 'orders whose GET right after the 201 said published: false').to.deep.equal([]);
      expectGetAnswersMatchOpenApi();
    });

    it('a repeat answered from an already published event leaves no wait behind in the publication tracker', async () => {
      const cart = await startCart();
      const key = newKey();
      const body = { orderId: newOrderId(), numItems: 1 };
      const first = await create(cart, body, key);
      expect(first.status).to.equal(201);
      expect(await recordsPublished(cart)).to.equal(1);
      expect(cart.service.awaitingPublication(), 'after the first answer').to.equal(0);
      for (let repeat = 0; repeat < 3; repeat += 1) {
        const { status, body: replayed } = await create(cart, body, key);
        expect({ status, body: replayed }).to.deep.equal({ status: first.status, body: first.body });
      }
      expect(cart.service.awaitingPublication(), 'after three replays').to.equal(0);
    });

    it('the order as the cart knows it follows an update to its OrderStatusUpdated, and is 404 for an unknown id', async () => {
      const cart = await startCart();
      const orderId = newOrderId();
      expect((await create(cart, { orderId, numItems: 1 })).status).to.equal(201);
      const createdEvent = dataOf(await orderAsTheCartKnowsIt(cart, orderId)).lastEvent;
      expect((await update(cart, { orderId, status: 'confirmed' }, newKey())).status).to.equal(200);
      const known = dataOf(await orderAsTheCartKnowsIt(cart, orderId));
      expect(known.status).to.equal('confirmed');
      expect(known.lastEvent).to.include({ eventType: 'OrderStatusUpdated', published: true });
      expect(known.lastEvent?.eventId).to.not.equal(createdEvent?.eventId);

      const unknown = await orderAsTheCartKnowsIt(cart, newOrderId());
      expect(unknown.status).to.equal(404);
      expect(errorOf(unknown).code).to.equal('NOT_FOUND');
      expectGetAnswersMatchOpenApi();
    });

    it('202 means committed with the event pending: replayed as 202 while it waits, as the first 201 once the relay published it', async () => {
      // The relay publishes only while it holds its leadership lock (a PostgreSQL advisory lock).
      // A first instance shows which lock that is; the test holds it while a second instance answers.
      const overrides = { PUBLISH_TIMEOUT_MS: '300', OUTBOX_POLL_INTERVAL_MS: '200' };
      const leader = await startCart(overrides);
      const lockKey = await waitFor(async () => {
        const { rows } = (await leader.db.knex.raw(
          `SELECT ((l.classid::bigint << 32) | l.objid::bigint)::text AS key FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = ?`,
          [leader.db.schema],
        )) as { rows: Array<{ key: string }> };
        return rows.length === 1 ? rows[0]!.key : undefined;
      }, { what: "the relay's leadership lock" });
      await leader.stop();
      lockHolder = await openSession(leader.db.knex, { onLost: () => undefined });
      const holder = lockHolder;
      await waitFor(async () => (await holder.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [lockKey])).rows[0]?.locked, {
        what: 'the leadership lock for the test',
      });
      const cart = await startTestCartService({ db: leader.db, config: leader.config });
      started = cart;
      expect(cart.service.relayRole()).to.equal('standby');

      const orderId = newOrderId();
      const key = newKey();
      const pending = await create(cart, { orderId, numItems: 2 }, key);
      expect(pending.status).to.equal(202);
      const body = pending.body as { success: boolean; message: string; data: OrderData; publication: string };
      expect(body.success).to.equal(true);
      expect(body.publication).to.equal('pending');
      expect(body.data.orderId).to.equal(orderId);
      expect(Object.keys(body)).to.deep.equal(['success', 'message', 'data', 'publication']);
      expect(dataOf(await orderAsTheCartKnowsIt(cart, orderId)).lastEvent).to.include({ eventType: 'OrderCreated', published: false });
      expect((await create(cart, { orderId, numItems: 2 }, newKey())).status, 'committed: the id is taken').to.equal(409);

      const whilePending = await create(cart, { orderId, numItems: 2 }, key);
      expect(whilePending.status).to.equal(202);
      expect(whilePending.text).to.equal(pending.text);

      await holder.end();
      lockHolder = undefined;
      await waitFor(async () => dataOf(await orderAsTheCartKnowsIt(cart, orderId)).lastEvent?.published, { what: 'the relay to publish the pending event' });
      const afterPublication = await create(cart, { orderId, numItems: 2 }, key);
      expect(afterPublication.status).to.equal(201);
      expect(afterPublication.body).to.deep.equal({ success: true, message: `order ${orderId} created`, data: body.data });
      expect(await recordsPublished(cart), 'records on the topic').to.equal(1);
      expectGetAnswersMatchOpenApi();
    });
  });
});
