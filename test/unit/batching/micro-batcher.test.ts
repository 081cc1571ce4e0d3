import { expect } from 'chai';
import { createMicroBatcher, type BatchOutcome, type ProcessBatch } from '../../../src/lib/batching';

/** A process function that records every batch and settles each when the test says so. */
function recordingProcess() {
  const batches: number[][] = [];
  const settle: Array<(error?: Error) => void> = [];
  const process: ProcessBatch<number, number> = (items) =>
    new Promise((resolve, reject) => {
      batches.push(items);
      settle.push((error) => (error ? reject(error) : resolve(items.map((item) => ({ ok: true, value: item })))));
    });
  return { batches, settle, process };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('micro-batcher', () => {
  it('processes an item that finds nothing in flight at once', () => {
    const { batches, process } = recordingProcess();
    const batcher = createMicroBatcher({ batching: true, maxBatch: 100, process });
    void batcher.submit(1);
    expect(batches).to.deep.equal([[1]]);
  });

  it('holds what arrives during a batch and sends it all as the next batch once that settles', async () => {
    const { batches, settle, process } = recordingProcess();
    const batcher = createMicroBatcher({ batching: true, maxBatch: 100, process });
    const submitted = [1, 2, 3, 4].map((item) => batcher.submit(item));
    expect(batches).to.deep.equal([[1]]);
    settle[0]?.();
    await submitted[0];
    await nextTurn();
    expect(batches).to.deep.equal([[1], [2, 3, 4]]);
    settle[1]?.();
    expect(await Promise.all(submitted)).to.deep.equal([1, 2, 3, 4]);
  });

  it('splits what waits into batches of at most maxBatch, one after the other', async () => {
    const { batches, settle, process } = recordingProcess();
    const batcher = createMicroBatcher({ batching: true, maxBatch: 2, process });
    const submitted = [1, 2, 3, 4].map((item) => batcher.submit(item));
    settle[0]?.();
    await nextTurn();
    expect(batches).to.deep.equal([[1], [2, 3]]);
    settle[1]?.();
    await nextTurn();
    await nextTurn();
    expect(batches).to.deep.equal([[1], [2, 3], [4]]);
    settle[2]?.();
    await Promise.all(submitted);
  });

  it('stops a batch short of its weight limit, and lets an item heavier than the limit go alone', async () => {
    const { batches, settle, process } = recordingProcess();
    const batcher = createMicroBatcher({ batching: true, maxBatch: 100, weigh: (item: number) => item, maxWeight: 10, process });
    [1, 4, 5, 2, 30, 3].forEach((item) => void batcher.submit(item));
    for (let round = 0; round < 5; round += 1) {
      settle[round]?.();
      await nextTurn();
      await nextTurn();
    }
    expect(batches).to.deep.equal([[1], [4, 5], [2], [30], [3]]);
  });

  it('with batching off, processes every item on its own and at once', () => {
    const { batches, process } = recordingProcess();
    const batcher = createMicroBatcher({ batching: false, maxBatch: 100, process });
    [1, 2, 3].forEach((item) => void batcher.submit(item));
    expect(batches).to.deep.equal([[1], [2], [3]]);
  });

  it("gives each caller its own item's outcome: a value to some, an error to others, from one batch", async () => {
    const batcher = createMicroBatcher<number, string>({
      batching: true,
      maxBatch: 100,
      process: async (items) => items.map((item): BatchOutcome<string> => (item % 2 === 0 ? { ok: true, value: `even ${item}` } : { ok: false, error: new Error(`odd ${item}`) })),
    });
    const outcomes = await Promise.all([2, 3, 4].map((item) => batcher.submit(item).then((value) => value, (error: Error) => error.message)));
    expect(outcomes).to.deep.equal(['even 2', 'odd 3', 'even 4']);
  });

  it('rejects every caller of a batch with the error that processing it threw, and goes on with the next batch', async () => {
    const { settle, process } = recordingProcess();
    const batcher = createMicroBatcher({ batching: true, maxBatch: 100, process });
    const first = batcher.submit(1);
    const failing = [batcher.submit(2), batcher.submit(3)];
    settle[0]?.();
    await first;
    await nextTurn();
    settle[1]?.(new Error('broker gone'));
    const outcomes = await Promise.allSettled(failing);
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).message : 'resolved'))).to.deep.equal(['broker gone', 'broker gone']);
    const later = batcher.submit(4);
    settle[2]?.();
    expect(await later).to.equal(4);
  });

  it('rejects a caller whose item got no outcome instead of leaving it hanging', async () => {
    const batcher = createMicroBatcher<number, number>({ batching: true, maxBatch: 10, process: async () => [] });
    const outcome = await batcher.submit(1).then(() => 'resolved', (error: Error) => error.message);
    expect(outcome).to.match(/no outcome for item 0/);
  });

  it('flush processes what waits and resolves when every batch has settled', async () => {
    const batches: number[][] = [];
    const batcher = createMicroBatcher<number, number>({
      batching: true,
      maxBatch: 100,
      process: async (items) => {
        batches.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items.map((item) => ({ ok: true, value: item }));
      },
    });
    const submitted = [1, 2, 3].map((item) => batcher.submit(item));
    await batcher.flush();
    expect(batches).to.deep.equal([[1], [2, 3]]);
    expect(await Promise.all(submitted)).to.deep.equal([1, 2, 3]);
  });
});
