import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** The window API_RATE_LIMIT_BURST is counted over. */
const BURST_WINDOW_SECONDS = 10;

export interface RateLimit {
  /** Counts one request of `keyId`: undefined when it may go on, else the seconds to wait (at least 1). */
  take(keyId: string): Promise<number | undefined>;
}

/**
 * A per-key limit kept in this instance's memory (several instances each allow as much):
 * `perSecond` requests each second, and `burst` more in any 10 seconds for short peaks.
 * `perSecond` 0 turns it off.
 */
export function createRateLimit({ perSecond, burst }: { perSecond: number; burst: number }): RateLimit {
  if (perSecond === 0) return { take: () => Promise.resolve(undefined) };
  const steady = new RateLimiterMemory({ keyPrefix: 'api-key', points: perSecond, duration: 1 });
  const limiter = burst > 0 ? new BurstyRateLimiter(steady, new RateLimiterMemory({ keyPrefix: 'api-key-burst', points: burst, duration: BURST_WINDOW_SECONDS })) : steady;
  return {
    async take(keyId) {
      try {
        await limiter.consume(keyId);
        return undefined;
      } catch (rejection) {
        // The limiter rejects with its RateLimiterRes when the points ran out; anything else is its own failure.
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      }
    },
  };
}
