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

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('batching producer', () => {
  it('gathers publishes that arrive within the linger into one send', async () => {
    const { batches, settle, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 20, maxBatch: 100, send });
    const published = [1, 2, 3].map((item) => producer.publish(item));
    expect(batches).to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(batches).to.deep.equal([[1, 2, 3]]);
    settle[0]?.();
    await Promise.all(published);
  });

  it('sends a full batch at once without waiting for the linger', async () => {
    const { batches, settle, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 60_000, maxBatch: 2, send });
    const published = [producer.publish(1), producer.publish(2)];
    expect(batches).to.deep.equal([[1, 2]]);
    settle[0]?.();
    await Promise.all(published);
  });

  it('with linger 0 sends every publish on its own, at once', async () => {
    const { batches, settle, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 0, maxBatch: 100, send });
    const published = [producer.publish(1), producer.publish(2)];
    expect(batches).to.deep.equal([[1], [2]]);
    settle.forEach((done) => done());
    await Promise.all(published);
  });

  it('keeps one batch in flight and sends those who arrived meanwhile as soon as it settles', async () => {
    const { batches, settle, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 1, maxBatch: 100, send });
    const first = producer.publish(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const later = [producer.publish(2), producer.publish(3)];
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(batches).to.deep.equal([[1]]);
    settle[0]?.();
    await first;
    await tick();
    expect(batches).to.deep.equal([[1], [2, 3]]);
    settle[1]?.();
    await Promise.all(later);
  });

  it('rejects every publish of a failed send with its error and resolves the others', async () => {
    const { settle, send } = recordingSend();
    const producer = createBatchingProducer({ lingerMs: 0, maxBatch: 100, send });
    const failed = producer.publish(1);
    const acked = producer.publish(2);
    settle[0]?.(new Error('broker gone'));
    settle[1]?.();
    let failure: unknown;
    await failed.catch((error: unknown) => (failure = error));
    expect((failure as Error).message).to.equal('broker gone');
    await acked;
  });

  it('flush sends what waits and resolves when every send has settled', async () => {
    const batches: number[][] = [];
    const producer = createBatchingProducer({
      lingerMs: 60_000,
      maxBatch: 100,
      send: async (items: number[]) => {
        batches.push(items);
      },
    });
    const published = [producer.publish(1), producer.publish(2)];
    await producer.flush();
    expect(batches).to.deep.equal([[1, 2]]);
    await Promise.all(published);
  });
});
