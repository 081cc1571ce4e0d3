import { expect } from 'chai';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { call, collectTopic, startTestCartService, type TestCartService } from './cart-service-harness';
import { decodeOrderEvent } from './event-reader';
import { createPrivateKafkaBroker, type PrivateKafkaBroker } from '../../helpers/private-kafka-broker';
import { CART_DATABASE } from '../../../src/cart-service';

/*
 * A real broker outage while the service runs: the service's Kafka is a broker of this test's
 * own (the shared broker serves other suites concurrently, so it is never stopped), killed and
 * started again on the same ports and data.
 */
describe('cart service: when its Kafka broker crashes and comes back', function () {
  this.timeout(180_000);
  let broker: PrivateKafkaBroker;
  let db: TestDatabase;
  let cart: TestCartService;

  before(async () => {
    broker = await createPrivateKafkaBroker();
    await broker.start();
    const config = testConfig({ KAFKA_BROKERS: broker.brokers });
    db = await createTestDatabase(CART_DATABASE, config);
    cart = await startTestCartService({ db, config });
  });

  after(async () => {
    await cart?.stop();
    await db?.destroy();
    await broker?.destroy();
  });

  it('answers 503 with Retry-After and stores nothing once the relay knows Kafka is down; what it accepted is published after the restart', async () => {
    const before = `ORDER-${uniqueSuffix()}`;
    expect((await call(cart.baseUrl, 'POST', '/api/create-order', { orderId: before, numItems: 1 })).status).to.equal(201);

    await broker.kill();
    // Until the relay's next probe fails, a write is committed and answered 202 (it will be
    // published); from then on writes are refused before anything is written.
    const acceptedWhileDown: string[] = [];
    const refused = await waitFor(
      async () => {
        const orderId = `ORDER-${uniqueSuffix()}`;
        const response = await call(cart.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 2 });
        if (response.status === 202) acceptedWhileDown.push(orderId);
        else expect(response.status, 'a write during the outage is stored (202) or refused (503)').to.equal(503);
        return response.status === 503 ? { orderId, response } : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'a 503 once the relay knows Kafka is down' },
    );
    const startedAt = Date.now();
    const fast = await call(cart.baseUrl, 'POST', '/api/create-order', { orderId: refused.orderId, numItems: 2 });
    expect(fast.status).to.equal(503);
    expect(Date.now() - startedAt, 'the 503 comes at once').to.be.below(1_000);
    expect(Number(fast.headers.get('retry-after'))).to.be.greaterThan(0);
    expect(await db.knex('cart_orders').where({ order_id: refused.orderId }).first(), 'no row in PostgreSQL').to.equal(undefined);
    expect(await db.knex('cart_outbox').where({ order_id: refused.orderId }).first(), 'no outbox row').to.equal(undefined);
    const update = await call(cart.baseUrl, 'PUT', '/api/update-order', { orderId: before, status: 'confirmed' });
    expect(update.status).to.equal(503);
    expect((await db.knex('cart_orders').where({ order_id: before }).first()).status).to.equal('pending');

    await broker.start();
    // A client retrying after Retry-After: the same order id, until the relay has reconnected.
    await waitFor(
      async () => (await call(cart.baseUrl, 'POST', '/api/create-order', { orderId: refused.orderId, numItems: 2 })).status === 201,
      { timeoutMs: 60_000, intervalMs: 500, what: 'the create to be accepted after the broker restart' },
    );
    expect((await call(cart.baseUrl, 'PUT', '/api/update-order', { orderId: before, status: 'confirmed' })).status).to.equal(200);

    const topic = await collectTopic(cart.config);
    try {
      const [created] = await topic.waitForKey(refused.orderId);
      expect((await decodeOrderEvent(cart.config, created!)).type).to.equal('OrderCreated');
      for (const orderId of acceptedWhileDown) await topic.waitForKey(orderId);
      const events = await topic.waitForKey(before, 2);
      expect(await Promise.all(events.map(async (message) => (await decodeOrderEvent(cart.config, message)).type))).to.deep.equal([
        'OrderCreated',
        'OrderStatusUpdated',
      ]);
    } finally {
      await topic.consumer.disconnect();
    }
    expect(await db.knex('cart_outbox').count<Array<{ count: string }>>('* as count'), 'the outbox drained').to.deep.equal([{ count: '0' }]);
  });
});
