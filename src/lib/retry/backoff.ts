/** How long to wait between attempts after a transient failure. */
export interface RetryPolicy {
  /** First wait after a transient failure. */
  initialMs: number;
  /** Longest wait between attempts (the backoff doubles up to it). */
  maxMs: number;
}

/** Backoff of a consumer's transient failures (a database, broker or registry outage): retried for as long as it lasts, at most this far apart. */
export const TRANSIENT_RETRY: RetryPolicy = { initialMs: 200, maxMs: 30_000 };

/** Exponential backoff with ±20% jitter, capped: attempt 0 waits about `initialMs`. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + random() * 0.4));
}
