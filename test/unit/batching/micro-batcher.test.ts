import { expect } from 'chai';
import { createMicroBatcher, type BatchOutcome } from '../../../src/lib/batching';

describe('micro-batcher', () => {
  it("gives each caller its own item's outcome: a value to some, an error to others, from one batch", async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = createMicroBatcher<number, string>({
      lingerMs: 60_000,
      maxBatch: 100,
      process: async (items) => {
        batches.push(items);
        await gate;
        return items.map((item): BatchOutcome<string> => (item % 2 === 0 ? { ok: true, value: `even ${item}` } : { ok: false, error: new Error(`odd ${item}`) }));
      },
    });
    const first = batcher.submit(0);
    const later = [2, 3, 4].map((item) => batcher.submit(item).then((value) => value, (error: Error) => error.message));
    release();
    expect(await first).to.equal('even 0');
    expect(await Promise.all(later)).to.deep.equal(['even 2', 'odd 3', 'even 4']);
    expect(batches).to.deep.equal([[0], [2, 3, 4]]);
  });

  it('rejects every caller of a batch with the error that processing it threw', async () => {
    const batcher = createMicroBatcher<number, number>({ lingerMs: 0, maxBatch: 10, process: async () => Promise.reject(new Error('database down')) });
    const outcomes = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).message : 'resolved'))).to.deep.equal(['database down', 'database down']);
  });

  it('rejects a caller whose item got no outcome instead of leaving it hanging', async () => {
    const batcher = createMicroBatcher<number, number>({ lingerMs: 0, maxBatch: 10, process: async () => [] });
    const outcome = await batcher.submit(1).then(() => 'resolved', (error: Error) => error.message);
    expect(outcome).to.match(/no outcome for item 0/);
  });

  it('stops a batch short of its weight limit, and lets an item heavier than the limit go alone', () => {
    const batches: number[][] = [];
    const batcher = createMicroBatcher<number, number>({
      lingerMs: 60_000,
      maxBatch: 100,
      weigh: (item) => item,
      maxWeight: 10,
      process: async (items) => {
        batches.push(items);
        return new Promise(() => undefined);
      },
    });
    // The first item leaves at once; the rest wait for it and then leave in weight-bounded batches.
    [1, 4, 5, 2, 30, 3].forEach((item) => void batcher.submit(item));
    void batcher.flush();
    expect(batches).to.deep.equal([[1], [4, 5], [2], [30], [3]]);
  });

  it('with maxInFlight 1, holds what arrives during a batch past the linger, and sends it all as the next batch once that settles', async () => {
    const batches: number[][] = [];
    const settle: Array<() => void> = [];
    const batcher = createMicroBatcher<number, number>({
      lingerMs: 1,
      maxBatch: 100,
      maxInFlight: 1,
      process: (items) =>
        new Promise((resolve) => {
          batches.push(items);
          settle.push(() => resolve(items.map((item) => ({ ok: true, value: item }))));
        }),
    });
    const submitted = [1, 2, 3, 4].map((item) => batcher.submit(item));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches, 'the linger passed, yet only the first batch is in flight').to.deep.equal([[1]]);
    settle[0]?.();
    await submitted[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).to.deep.equal([[1], [2, 3, 4]]);
    settle[1]?.();
    expect(await Promise.all(submitted)).to.deep.equal([1, 2, 3, 4]);
  });

  it('with linger 0, processes every item on its own and at once, whatever maxInFlight says', () => {
    const batches: number[][] = [];
    const batcher = createMicroBatcher<number, number>({ lingerMs: 0, maxBatch: 100, maxInFlight: 1, process: async (items) => (batches.push(items), new Promise(() => undefined)) });
    [1, 2, 3].forEach((item) => void batcher.submit(item));
    expect(batches).to.deep.equal([[1], [2], [3]]);
  });
});
