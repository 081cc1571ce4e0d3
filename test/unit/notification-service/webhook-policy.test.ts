import { expect } from 'chai';
import { MAX_WEBHOOK_ATTEMPTS, nextStep, outcomeOfStatus, WEBHOOK_RETRY } from '../../../src/notification-service';

/** The midpoint of the ±20% jitter: the schedule itself. */
const NO_JITTER = () => 0.5;

describe('webhook retry policy', () => {
  it('takes any 2xx as delivered', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(outcomeOfStatus(status), String(status)).to.equal('delivered');
  });

  it('takes a 4xx as refused for good, except 408 and 429, which ask to come back', () => {
    for (const status of [400, 401, 403, 404, 405, 410, 413, 422, 499]) expect(outcomeOfStatus(status), String(status)).to.equal('refused');
    expect(outcomeOfStatus(408)).to.equal('failed');
    expect(outcomeOfStatus(429)).to.equal('failed');
  });

  it('retries 5xx, and 3xx (redirects are not followed)', () => {
    for (const status of [500, 502, 503, 504, 301, 302, 307, 308]) expect(outcomeOfStatus(status), String(status)).to.equal('failed');
  });

  it('waits about 1 s after the first failure, doubling to at most an hour', () => {
    const delays = Array.from({ length: 15 }, (_, index) => {
      const step = nextStep(index + 1, 'failed', { random: NO_JITTER });
      return step.state === 'pending' ? step.retryInMs : undefined;
    });
    expect(delays).to.deep.equal([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 1_024_000, 2_048_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(WEBHOOK_RETRY).to.deep.equal({ initialMs: 1_000, maxMs: 3_600_000 });
  });

  it('jitters each wait by at most 20% either way, so failed deliveries do not return in lockstep', () => {
    const lowest = nextStep(3, 'failed', { random: () => 0 });
    const highest = nextStep(3, 'failed', { random: () => 0.999999 });
    expect(lowest).to.deep.equal({ state: 'pending', retryInMs: 3_200 });
    expect(highest.state === 'pending' && highest.retryInMs).to.be.within(4_799, 4_800);
  });

  it('gives up after the last attempt, about 12 hours of trying in all', () => {
    expect(nextStep(MAX_WEBHOOK_ATTEMPTS - 1, 'failed', { random: NO_JITTER }).state).to.equal('pending');
    expect(nextStep(MAX_WEBHOOK_ATTEMPTS, 'failed', { random: NO_JITTER })).to.deep.equal({ state: 'gave_up' });
    let total = 0;
    for (let attempt = 1; attempt < MAX_WEBHOOK_ATTEMPTS; attempt += 1) {
      const step = nextStep(attempt, 'failed', { random: NO_JITTER });
      if (step.state === 'pending') total += step.retryInMs;
    }
    expect(total / 3_600_000).to.be.within(11, 13);
  });

  it('gives up at once on a refusal, and delivers on the last attempt all the same', () => {
    expect(nextStep(1, 'refused')).to.deep.equal({ state: 'gave_up' });
    expect(nextStep(MAX_WEBHOOK_ATTEMPTS, 'delivered')).to.deep.equal({ state: 'delivered' });
  });

  it('follows a shorter schedule and attempt count when given one', () => {
    const policy = { initialMs: 10, maxMs: 40 };
    expect([1, 2, 3, 4].map((attempt) => nextStep(attempt, 'failed', { policy, maxAttempts: 5, random: NO_JITTER }))).to.deep.equal([
      { state: 'pending', retryInMs: 10 },
      { state: 'pending', retryInMs: 20 },
      { state: 'pending', retryInMs: 40 },
      { state: 'pending', retryInMs: 40 },
    ]);
    expect(nextStep(5, 'failed', { policy, maxAttempts: 5 })).to.deep.equal({ state: 'gave_up' });
  });
});
