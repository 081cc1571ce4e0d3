import { expect } from 'chai';
import { AppError } from '../../../src/errors';
import { pauseUnlessStopping, retryUntilDone, StoppingError } from '../../../src/lib/retry';

describe('retry loop', () => {
  const policy = { initialMs: 1, maxMs: 4 };

  it('retries retriable failures until the work succeeds, pausing by the backoff between attempts', async () => {
    const pauses: number[] = [];
    let calls = 0;
    const result = await retryUntilDone(
      async () => {
        calls += 1;
        if (calls < 4) throw new AppError('DEPENDENCY_UNAVAILABLE', 'down');
        return 'done';
      },
      { policy, pause: async (ms) => void pauses.push(ms) },
    );
    expect(result).to.equal('done');
    expect(calls).to.equal(4);
    expect(pauses).to.have.length(3);
    expect(Math.max(...pauses)).to.be.at.most(5);
  });

  it('rethrows a failure a retry cannot fix at once, as an AppError', async () => {
    let calls = 0;
    const failure = await retryUntilDone(
      async () => {
        calls += 1;
        throw new Error('a bug');
      },
      { policy, pause: async () => undefined },
    ).catch((error: unknown) => error);
    expect(calls).to.equal(1);
    expect(failure).to.be.instanceOf(AppError).and.to.include({ code: 'INTERNAL' });
  });

  it('ends with StoppingError when the pause is cut short by a stop', async () => {
    let stopping = false;
    const failure = await retryUntilDone(
      async () => {
        stopping = true;
        throw new AppError('DEPENDENCY_UNAVAILABLE', 'down');
      },
      { policy: { initialMs: 10_000, maxMs: 10_000 }, pause: (ms) => pauseUnlessStopping(ms, { isStopping: () => stopping, what: 'the test' }) },
    ).catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(StoppingError);
  });

  it('ticks (heartbeats) while it pauses', async () => {
    let ticks = 0;
    await pauseUnlessStopping(35, { isStopping: () => false, tick: async () => void (ticks += 1), tickMs: 10, what: 'the test' });
    expect(ticks).to.be.at.least(3);
  });
});
