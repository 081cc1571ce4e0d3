import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../logger';
import { kafkaError } from '../kafka';
import { retryUntilDone, TRANSIENT_RETRY, type RetryPolicy } from '../retry';
import type { ServiceDeps } from './service-deps';

/**
 * How long a service keeps retrying the Kafka steps of its start through transient failures: in
 * a cluster a node may die, or a group coordinator still be loading, while a service starts.
 */
export const KAFKA_START_DEADLINE_MS = 60_000;

/** Failures no retry can mend however transient their wrapping looks: refused credentials, say. */
function isHopeless(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = (current as { cause?: unknown }).cause) {
    if (current.name === 'KafkaJSSASLAuthenticationError') return true;
  }
  return false;
}

/**
 * Runs the Kafka steps of a service's start one after the other, each retried (alone: a step
 * done is not done again) while it fails for a transient reason and `deadlineMs` has not passed;
 * then the last failure stands, and the start fails as before.
 */
export async function startThroughTransientKafkaFailures(
  steps: ReadonlyArray<{ what: string; run(): Promise<unknown> }>,
  { logger, deps }: { logger: Logger; deps: Pick<ServiceDeps, 'kafkaStartDeadlineMs' | 'retry'> },
): Promise<void> {
  const deadlineMs = deps.kafkaStartDeadlineMs ?? KAFKA_START_DEADLINE_MS;
  const policy: RetryPolicy = deps.retry ?? TRANSIENT_RETRY;
  const deadline = Date.now() + deadlineMs;
  for (const step of steps) {
    await retryUntilDone(
      () =>
        step.run().catch((error: unknown) => {
          throw isHopeless(error) ? error : kafkaError(error);
        }),
      {
        policy,
        pause: (ms) => sleep(Math.min(ms, Math.max(0, deadline - Date.now()))),
        isRetriable: (failure) => failure.retriable && Date.now() < deadline,
        onRetry: (failure, attempt, delayMs) => logger.warn({ err: failure, attempt, delayMs }, `${step.what} failed at start; trying again`),
      },
    );
  }
}
