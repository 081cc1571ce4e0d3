import type { Logger } from '../../logger';
import type { Metrics } from '../metrics';
import { pauseUnlessStopping, retryUntilDone, StoppingError, type RetryPolicy } from '../retry';

/** Longest wait between background attempts to register the schemas while the registry is down. */
const REGISTER_RETRY_MAX_MS = 30_000;

export interface BackgroundRegistration {
  /** Settles after the first attempt, registered or not: a healthy start registers before it consumes. */
  firstAttempt: Promise<void>;
  /** Ends the retries (the service stops, or failed to start). */
  stop(): void;
}

/**
 * Registers a service's event schemas (idempotent) as the spec asks. A registry that is down at
 * start-up does not stop the service: decoding and encoding already wait for the registry, and the
 * registration is retried in the background with capped backoff until it succeeds or stop().
 */
export function registerInBackground(
  register: () => Promise<void>,
  { logger, metrics, retry }: { logger: Logger; metrics: Metrics; retry?: Partial<RetryPolicy> },
): BackgroundRegistration {
  let stopped = false;
  let firstAttemptDone = (): void => undefined;
  const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
  const registerOnce = async (attempt: number): Promise<void> => {
    try {
      await register();
    } finally {
      if (attempt === 0) firstAttemptDone();
    }
  };
  void retryUntilDone(registerOnce, {
    policy: { initialMs: retry?.initialMs ?? 1_000, maxMs: Math.min(retry?.maxMs ?? REGISTER_RETRY_MAX_MS, REGISTER_RETRY_MAX_MS) },
    // Also a refusal (an incompatible schema): an operator may fix the registry meanwhile.
    isRetriable: () => true,
    pause: (ms) => pauseUnlessStopping(ms, { isStopping: () => stopped, what: 'registering the event schemas' }),
    onRetry(failure, attempt, delayMs) {
      metrics.registryErrors.inc({ operation: 'register' });
      if (!stopped) logger.warn({ err: failure, attempt: attempt + 1, delayMs }, 'could not register the event schemas; retrying in the background');
    },
  }).then(
    () => logger.info('event schemas registered'),
    (error: unknown) => {
      if (!(error instanceof StoppingError)) logger.error({ err: error }, 'gave up registering the event schemas');
    },
  );
  return {
    firstAttempt,
    stop() {
      stopped = true;
    },
  };
}
