import { toAppError } from '../errors';

/**
 * Normalises a failure of batch processing into an AppError whose `retriable` decides what the
 * consumer does: retriable -> back off and retry the same batch (never skip, never commit);
 * anything else -> isolate the offending message and dead-letter it.
 */
export const classifyFailure = toAppError;

/** Exponential backoff with jitter, capped: attempt 0 waits about `initialMs`. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: { initialMs: number; maxMs: number }, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + random() * 0.4));
}
