import { expect } from 'chai';
import { createBatchingProducer } from '../../../src/lib/kafka';

/** A send function that records every batch and settles when the test says so. */
function recordingSend() {
  const batches: number[][] = [];
  const settle: Array<(error?: Error) => void> = [];
  const send = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      settle.push((error) => (error ? reject(error) : resolve()));
    });
  return { batches, settle, send };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('batching producer', () => {
  it('sends a publish that finds nothing in flight at once, without waiting for the linger', () => {
    const { batches, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 60_000, maxBatch: 100, send });
    void producer.publish(1);
    expect(batches).to.deep.equal([[1]]);
  });

  it('gathers the publishes that arrive during a send into one send, which leaves as soon as the first settles', async () => {
    const { batches, settle, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 60_000, maxBatch: 100, send });
    const first = producer.publish(1);
    const later = [producer.publish(2), producer.publish(3), producer.publish(4)];
    expect(batches).to.deep.equal([[1]]);
    settle[0]?.();
    await first;
    await nextTurn();
    expect(batches).to.deep.equal([[1], [2, 3, 4]]);
    settle[1]?.();
    await Promise.all(later);
  });

  it('lets waiting publishes leave after the linger even when the send in flight has not settled', async () => {
    const { batches, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 10, maxBatch: 100, send });
    void producer.publish(1);
    void producer.publish(2);
    void producer.publish(3);
    expect(batches).to.deep.equal([[1]]);
    await sleep(30);
    expect(batches).to.deep.equal([[1], [2, 3]]);
  });

  it('sends a full batch at once, without waiting for the send in flight or the linger', () => {
    const { batches, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 60_000, maxBatch: 2, send });
    [1, 2, 3].forEach((item) => void producer.publish(item));
    expect(batches).to.deep.equal([[1], [2, 3]]);
  });

  it('with linger 0 sends every publish on its own, at once', async () => {
    const { batches, settle, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 0, maxBatch: 100, send });
    const published = [producer.publish(1), producer.publish(2)];
    expect(batches).to.deep.equal([[1], [2]]);
    settle.forEach((done) => done());
    await Promise.all(published);
  });

  it('rejects every publish of a failed send with its error, and resolves those of other sends', async () => {
    const { settle, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 60_000, maxBatch: 100, send });
    const acked = producer.publish(1);
    const failed = [producer.publish(2), producer.publish(3)];
    settle[0]?.();
    await acked;
    await nextTurn();
    settle[1]?.(new Error('broker gone'));
    const outcomes = await Promise.allSettled(failed);
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).message : 'acked'))).to.deep.equal([
      'broker gone',
      'broker gone',
    ]);
  });

  it('flush sends what waits and resolves when every send has settled', async () => {
    const batches: number[][] = [];
    const producer = createBatchingProducer({
      lingerMs: 60_000,
      maxBatch: 100,
      send: async (items: number[]) => {
        batches.push(items);
        await sleep(5);
      },
    });
    const published = [producer.publish(1), producer.publish(2), producer.publish(3)];
    await producer.flush();
    expect(batches).to.deep.equal([[1], [2, 3]]);
    await Promise.all(published);
  });
});
