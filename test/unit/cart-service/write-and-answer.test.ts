import { expect } from 'chai';
import { successAnswer } from '../../../src/cart-service/answers';
import type { IdempotencyStore } from '../../../src/cart-service/idempotency';
import type { OrderWriteBatcher, UnclaimedCommand, WriteResult } from '../../../src/cart-service/order-write-batcher';
import { createPublicationTracker, type OutboxStore, type PublicationState } from '../../../src/cart-service/outbox';
import { createWriteAndAnswer } from '../../../src/cart-service/write-and-answer';
import { AppError } from '../../../src/errors';
import type { Knex } from '../../../src/lib/db';

/*
 * What a committed write answers once its event is (or is not) acknowledged, with the batcher
 * and the outbox lookup replaced by stand-ins: the integration tests cover the same promises on
 * the real stack, but cannot make the lookup fail at exactly this moment.
 */

const UPDATE: UnclaimedCommand = { kind: 'update', orderId: 'ORD-1', status: 'confirmed' };

function setUp({ lookup, published = false }: { lookup: () => Promise<PublicationState>; published?: boolean }) {
  const tracker = createPublicationTracker();
  const written: unknown[] = [];
  const writes: OrderWriteBatcher = {
    async write(command) {
      written.push(command);
      const publication = tracker.expect('41');
      if (published) tracker.published(['41']);
      const result: WriteResult = { answer: successAnswer(200, 'order ORD-1 is now confirmed', { orderId: 'ORD-1' }), outboxId: '41', publication };
      return result;
    },
    flush: async () => undefined,
  };
  // Only publicationOf is asked of the outbox store, and nothing of the idempotency store or knex without an Idempotency-Key.
  const outbox = { publicationOf: lookup } as unknown as OutboxStore;
  const answerWrite = createWriteAndAnswer({
    knex: {} as Knex,
    writes,
    idempotency: {} as IdempotencyStore,
    tracker,
    outbox,
    kafkaDownReason: () => undefined,
    publishTimeoutMs: 20,
  });
  return { answerWrite, written };
}

describe('write and answer: after the commit', () => {
  it('answers 200 once Kafka acknowledged the event', async () => {
    const { answerWrite } = setUp({ lookup: () => Promise.reject(new Error('not asked')), published: true });
    expect((await answerWrite.answer(undefined, async () => UPDATE)).status).to.equal(200);
  });

  it('answers 202 pending when the wait runs out and the outbox lookup fails: the write is committed, never a 503', async () => {
    const { answerWrite, written } = setUp({ lookup: () => Promise.reject(new AppError('DEPENDENCY_UNAVAILABLE', 'the database is down')) });
    const answer = await answerWrite.answer(undefined, async () => UPDATE);
    expect(written).to.have.length(1);
    expect(answer.status).to.equal(202);
    expect(answer.body).to.include({ success: true, publication: 'pending' });
  });

  it('answers 202 held when the lookup finds the event parked', async () => {
    const { answerWrite } = setUp({ lookup: async () => 'held' });
    const answer = await answerWrite.answer(undefined, async () => UPDATE);
    expect([answer.status, (answer.body as { publication?: string }).publication]).to.deep.equal([202, 'held']);
  });

  it('answers 200 when the wait runs out but the lookup finds the event already published', async () => {
    const { answerWrite } = setUp({ lookup: async () => 'published' });
    expect((await answerWrite.answer(undefined, async () => UPDATE)).status).to.equal(200);
  });

  it('commits the command under the request\'s Idempotency-Key claim, added once by whoever answers', async () => {
    const { answerWrite, written } = setUp({ lookup: () => Promise.reject(new Error('not asked')), published: true });
    const claim = answerWrite.claimOf({ operation: 'update-order', body: { orderId: 'ORD-1', status: 'confirmed' }, idempotencyKey: '"key-1"' });
    expect(claim?.key).to.equal('key-1');
    expect((await answerWrite.answer(claim, async () => UPDATE)).status).to.equal(200);
    expect(written).to.deep.equal([{ ...UPDATE, idempotency: claim }]);
  });
});
