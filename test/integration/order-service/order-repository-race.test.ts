import { expect } from 'chai';
import { AppError } from '../../../src/errors';
import { checkEvent, type ValidEvent } from '../../../src/lib/order-events';
import { createOrderRepository, planBatch, ORDER_DATABASE } from '../../../src/order-service';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-env';
import { orderCreated } from './order-service-fixtures';

/**
 * The batch inserts carry no ON CONFLICT: each partition's batch reads what exists under its own
 * lock. Two partitions can still race for one order (same order id under two keys, or partitions
 * added): the loser must be retried, never silently half-applied.
 */
describe('order repository: two partitions racing for one order', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase(ORDER_DATABASE);
  });
  after(async () => {
    await db?.destroy();
  });

  function valid(partition: number): ValidEvent {
    const { type, ...event } = orderCreated('RACE-1');
    const checked = checkEvent({ type, event }, { topic: 'race-topic', partition, offset: '0' });
    if (!checked.ok) throw new Error(checked.reason);
    return checked.event;
  }

  it('runs the loser again, which then refuses the second OrderCreated: one order, one applied, one refused', async () => {
    const repository = createOrderRepository({ knex: db.knex });
    const [first, second] = [valid(0), valid(1)];
    let firstRead = (): void => undefined;
    const firstHasRead = new Promise<void>((resolve) => (firstRead = resolve));
    let secondRead = (): void => undefined;
    const secondHasRead = new Promise<void>((resolve) => (secondRead = resolve));
    const attempts = new Map<string, number>();

    const apply = (event: ValidEvent, read: () => void, otherHasRead: Promise<void>) =>
      repository.inBatchTransaction({ topic: 'race-topic', partition: event.position.partition }, async (tx) => {
        attempts.set(event.eventId, (attempts.get(event.eventId) ?? 0) + 1);
        const state = await tx.loadState([event.eventId], [event.orderId]);
        read();
        // Both have read "no such order" before either writes.
        await otherHasRead;
        await tx.writePlan(planBatch([event], state));
      });
    await Promise.all([apply(first, firstRead, secondHasRead), apply(second, secondRead, firstHasRead)]);

    expect([...attempts.values()].sort(), 'the loser ran twice').to.deep.equal([1, 2]);
    const history = (await db.knex('order_events').where({ order_id: 'RACE-1' }).select('event_id', 'outcome')) as Array<{ event_id: string; outcome: string }>;
    expect(history.map((row) => row.outcome).sort()).to.deep.equal(['applied', 'rejected']);
    expect(await db.knex('orders').where({ order_id: 'RACE-1' }).count({ count: '*' }).first()).to.deep.equal({ count: '1' });
  });

  it('fails a violation that outlasts its attempts as the non-retriable error it is, with nothing written', async () => {
    const repository = createOrderRepository({ knex: db.knex });
    const event = valid(2);
    let attempts = 0;
    // A plan written without reading the state: the order's event is already in the history, every time.
    const failure = await repository
      .inBatchTransaction({ topic: 'race-topic', partition: event.position.partition }, async (tx) => {
        attempts += 1;
        await tx.writePlan(planBatch([{ ...event, orderId: 'RACE-2' }], { knownEventIds: new Set(), orderStatuses: new Map(), pending: [] }));
        await tx.writePlan(planBatch([{ ...event, orderId: 'RACE-2' }], { knownEventIds: new Set(), orderStatuses: new Map(), pending: [] }));
      })
      .catch((error: unknown) => error);
    expect(attempts).to.equal(3);
    expect(failure).to.be.instanceOf(AppError).and.to.include({ code: 'INTERNAL', retriable: false });
    expect(await db.knex('order_events').where({ event_id: event.eventId }).first()).to.equal(undefined);
  });
});
