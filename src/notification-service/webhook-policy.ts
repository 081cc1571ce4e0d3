import { backoffDelay, type RetryPolicy } from '../lib/retry';

/**
 * What the webhook dispatcher does with a receiver's answer, without I/O: which answers deliver,
 * which are worth trying again, and when.
 */

/** Backoff between attempts: about 1 s after the first failure, doubling to at most an hour (±20% jitter). */
export const WEBHOOK_RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 3_600_000 };

/** Attempts before a notification is given up: with WEBHOOK_RETRY, about 12 hours of trying. */
export const MAX_WEBHOOK_ATTEMPTS = 24;

/** What one attempt came to. */
export type AttemptOutcome = 'delivered' | 'failed' | 'refused';

/**
 * A 2xx delivers. A 4xx says the request itself is wrong (bad URL path, signature refused, ...),
 * so repeating it cannot help: refused for good, except 408 (timeout) and 429 (too many
 * requests), which ask to come back. Anything else (3xx, which is not followed since the body
 * would not be re-POSTed, 5xx, or no answer at all) may heal and is tried again.
 */
export function outcomeOfStatus(status: number): AttemptOutcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'refused';
  return 'failed';
}

/** Where a notification goes after an attempt: delivered, given up, or tried again after a delay. */
export type NextStep = { state: 'delivered' } | { state: 'gave_up' } | { state: 'pending'; retryInMs: number };

/** The step after attempt number `attempt` (1 for the first) came to `outcome`. */
export function nextStep(attempt: number, outcome: AttemptOutcome, { policy = WEBHOOK_RETRY, maxAttempts = MAX_WEBHOOK_ATTEMPTS, random = Math.random } = {}): NextStep {
  if (outcome === 'delivered') return { state: 'delivered' };
  if (outcome === 'refused' || attempt >= maxAttempts) return { state: 'gave_up' };
  return { state: 'pending', retryInMs: backoffDelay(attempt - 1, policy, random) };
}
