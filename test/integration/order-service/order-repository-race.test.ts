import { expect } from 'chai';
import { AppError } from '../../../src/errors';
import { checkEvent, createOrderRepository, planBatch, type ValidEvent } from '../../../src/order-service';
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
    db = await createTestDatabase();
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

  it('answers the loser with a retriable error and nothing written, and its retry refuses the second OrderCreated', async () => {
    const repository = createOrderRepository({ knex: db.knex });
    const [first, second] = [valid(0), valid(1)];
    let firstRead = (): void => undefined;
    const firstHasRead = new Promise<void>((resolve) => (firstRead = resolve));
    let secondRead = (): void => undefined;
    const secondHasRead = new Promise<void>((resolve) => (secondRead = resolve));

    const apply = (event: ValidEvent, read: () => void, otherHasRead: Promise<void>) =>
      repository.inBatchTransaction(async (tx) => {
        await tx.lockPartition('race-topic', event.position.partition);
        const state = await tx.loadState([event.eventId], [event.orderId]);
        read();
        // Both have read "no such order" before either writes.
        await otherHasRead;
        await tx.writePlan(planBatch([event], state));
      });
    const results = await Promise.allSettled([apply(first, firstRead, secondHasRead), apply(second, secondRead, firstHasRead)]);

    const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(failures, 'exactly one loses').to.have.length(1);
    const failure: unknown = failures[0]?.reason;
    expect(failure).to.be.instanceOf(AppError);
    expect((failure as AppError).retriable, 'the loser is retried').to.equal(true);
    const loser = results[0]?.status === 'rejected' ? first : second;
    expect(await db.knex('order_events').where({ event_id: loser.eventId }).first(), "nothing of the loser's batch was written").to.equal(undefined);

    await repository.inBatchTransaction(async (tx) => {
      await tx.lockPartition('race-topic', loser.position.partition);
      await tx.writePlan(planBatch([loser], await tx.loadState([loser.eventId], [loser.orderId])));
    });
    const history = (await db.knex('order_events').where({ order_id: 'RACE-1' }).select('event_id', 'outcome')) as Array<{ event_id: string; outcome: string }>;
    expect(history.find((row) => row.event_id === loser.eventId)?.outcome).to.equal('rejected');
    expect(history.filter((row) => row.outcome === 'applied')).to.have.length(1);
    expect(await db.knex('orders').where({ order_id: 'RACE-1' }).count({ count: '*' }).first()).to.deep.equal({ count: '1' });
  });
});
