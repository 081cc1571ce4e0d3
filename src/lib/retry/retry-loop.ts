import { AppError, toAppError } from '../../errors';
import { backoffDelay, type RetryPolicy } from './backoff';

/**
 * The work is abandoned, not failed (the caller is stopping, or a consumer's batch goes back to
 * Kafka): no retry, no isolation, no verdict on any record. Passes through every retry loop.
 */
export class Abandonment extends Error {}

/** Thrown instead of waiting once the caller is stopping. */
export class StoppingError extends Abandonment {
  constructor(what: string) {
    super(`stopping: ${what} is abandoned`);
    this.name = 'StoppingError';
  }
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Waits between attempts; the consumer's pause heartbeats while it waits. Rejecting ends the loop. */
  pause(ms: number): Promise<void>;
  /** Told before each wait, to log it. */
  onRetry?(failure: AppError, attempt: number, delayMs: number): void;
  /** Which failures a new attempt can fix: by default the retriable ones (AppError.retriable). */
  isRetriable?(failure: AppError): boolean;
}

/**
 * Runs `work` until it succeeds or fails for a reason a retry cannot fix (rethrown as an
 * AppError), waiting with capped exponential backoff between attempts.
 */
export async function retryUntilDone<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const isRetriable = options.isRetriable ?? ((failure: AppError) => failure.retriable);
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (error instanceof Abandonment) throw error;
      const failure = toAppError(error);
      if (!isRetriable(failure)) throw failure;
      const delay = backoffDelay(attempt, options.policy);
      options.onRetry?.(failure, attempt, delay);
      await options.pause(delay);
    }
  }
}

/**
 * A pause of `ms` that wakes every `tickMs` to call `tick` (a consumer's heartbeat) and ends
 * early with {@link StoppingError} once `isStopping()` says so.
 */
export async function pauseUnlessStopping(ms: number, { isStopping, tick, tickMs = 1_000, what }: { isStopping(): boolean; tick?: () => Promise<void>; tickMs?: number; what: string }): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (isStopping()) throw new StoppingError(what);
    // Unreferenced: a pause alone never keeps the process running.
    await new Promise((resolve) => setTimeout(resolve, Math.min(tickMs, deadline - Date.now())).unref());
    await tick?.();
  }
  if (isStopping()) throw new StoppingError(what);
}
