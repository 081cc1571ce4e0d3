import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** The window API_RATE_LIMIT_BURST is counted over. */
const BURST_WINDOW_SECONDS = 10;

export interface RateLimit {
  /** Counts one request of `keyId`: undefined when it may go on, else the seconds to wait (at least 1). */
  take(keyId: string): Promise<number | undefined>;
}

/** The seconds to wait (at least 1) that a limiter's rejection carries; anything else it threw is rethrown. */
function secondsToWait(rejection: unknown): number {
  // The limiter rejects with its RateLimiterRes when the points ran out; anything else is its own failure.
  if (!(rejection instanceof RateLimiterRes)) throw rejection;
  return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
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
        return secondsToWait(rejection);
      }
    },
  };
}

export interface RefusedKeyLimit {
  /** Undefined when `client` may present a key now, else the seconds it must wait. */
  waitFor(client: string): Promise<number | undefined>;
  /** Counts a key of `client` that was refused. */
  refused(client: string): Promise<void>;
}

const REFUSED_KEYS_WINDOW_SECONDS = 60;

/**
 * How many refused keys one client address may present in a minute (per instance, in memory).
 * Every key presented costs an argon2 verification, unknown ones included (so that timing does
 * not tell which key ids exist): without this, a stream of made-up keys would keep the thread
 * pool hashing. `perMinute` 0 turns it off.
 */
export function createRefusedKeyLimit(perMinute: number): RefusedKeyLimit {
  if (perMinute === 0) return { waitFor: () => Promise.resolve(undefined), refused: () => Promise.resolve() };
  const limiter = new RateLimiterMemory({ keyPrefix: 'refused-key', points: perMinute, duration: REFUSED_KEYS_WINDOW_SECONDS });
  return {
    async waitFor(client) {
      const used = await limiter.get(client);
      return used !== null && used.consumedPoints >= perMinute ? Math.max(1, Math.ceil(used.msBeforeNext / 1000)) : undefined;
    },
    async refused(client) {
      await limiter.consume(client).catch((rejection: unknown) => secondsToWait(rejection));
    },
  };
}
