import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createCartOrderRepository } from '../../../src/cart-service/cart-order-repository';
import type { OutboxEntry } from '../../../src/cart-service/outbox';
import { transactionOutcome } from '../../../src/cart-service/transaction-outcome';
import { createMetrics } from '../../../src/lib/metrics';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-env';
import { validOrderBody } from './cart-service-harness';
import type { OrderJson } from '../../../src/domain';
import { CART_DATABASE } from '../../../src/cart-service';

/** A write of a new order with its OrderCreated, as the group commit hands them over (the event's bytes do not matter here). */
function newOrder(orderId: string): { order: OrderJson; event: OutboxEntry } {
  const order = { ...validOrderBody(orderId), status: 'pending' } as unknown as OrderJson;
  const event: OutboxEntry = { eventId: randomUUID(), eventType: 'OrderCreated', orderId, topic: 'order-events', key: orderId, value: Buffer.from([0, 0, 0, 0, 1, 2]), schemaId: 1, headers: { 'event-type': 'OrderCreated' } };
  return { order, event };
}

describe('cart order repository: new orders and their outbox rows in one statement (real PostgreSQL)', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase(CART_DATABASE);
  });
  after(async () => {
    await db?.destroy();
  });

  const count = async (table: string) => Number(((await db.knex(table).count({ n: '*' }).first()) as { n: string }).n);

  it('writes the outbox rows of the new orders only, in the order given, and skips an order already known', async () => {
    const repository = createCartOrderRepository({ knex: db.knex, metrics: createMetrics('cart-service') });
    await transactionOutcome(db.knex, (tx) => repository.insertNew(tx, [newOrder('REPO-B')]));
    const writes = [newOrder('REPO-C'), newOrder('REPO-B'), newOrder('REPO-A')];
    const outboxIds = await transactionOutcome(db.knex, (tx) => repository.insertNew(tx, writes));
    expect([...outboxIds.keys()].sort()).to.deep.equal(['REPO-A', 'REPO-C']);
    expect(Number(outboxIds.get('REPO-C')) < Number(outboxIds.get('REPO-A')), 'ids follow the order given').to.equal(true);
    const stored = (await db.knex('cart_outbox').whereIn('order_id', ['REPO-A', 'REPO-C']).select('event_id', 'value')) as Array<{ event_id: string; value: Buffer }>;
    expect(stored.map((row) => row.value.toString('hex'))).to.deep.equal(['000000000102', '000000000102']);
  });

  it('refuses one order id given twice, writing nothing', async () => {
    const repository = createCartOrderRepository({ knex: db.knex, metrics: createMetrics('cart-service') });
    const [orders, outbox] = [await count('cart_orders'), await count('cart_outbox')];
    const failure = await transactionOutcome(db.knex, (tx) => repository.insertNew(tx, [newOrder('REPO-TWICE'), newOrder('REPO-TWICE')])).catch((error: unknown) => error);
    expect(String(failure)).to.contain('one order id twice');
    expect([await count('cart_orders'), await count('cart_outbox')]).to.deep.equal([orders, outbox]);
  });
});
