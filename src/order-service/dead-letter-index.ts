import type { Kafka } from 'kafkajs';
import type { Logger } from '../logger';
import { createKafkaRunner } from '../lib/consumer';
import { Abandonment, pauseUnlessStopping, retryUntilDone, type RetryPolicy } from '../lib/retry';
import { deadLetterRowOf, type DeadLetterStore } from './dead-letter-store';

export interface DeadLetterIndexOptions {
  kafka: Kafka;
  deadLetterTopic: string;
  /** The order consumer's group; the index reads in a group of its own beside it. */
  groupId: string;
  store: DeadLetterStore;
  logger: Logger;
  retry: RetryPolicy;
}

/** Dead letters are few: one partition at a time, and no waiting for a fuller fetch. */
const FETCH_MAX_WAIT_MS = 100;
const MAX_RECORDS_PER_TRANSACTION = 500;

/** The group the index reads the dead-letter topic in. */
export function deadLetterIndexGroup(groupId: string): string {
  return `${groupId}.dead-letter-index`;
}

/**
 * Keeps the dead_letters table in step with the dead-letter topic: a consumer group of its own
 * reads every dead letter and indexes it (a copy of one already indexed changes nothing), and
 * commits only what was stored. A database that cannot store is waited for, never skipped.
 */
export function createDeadLetterIndex({ kafka, deadLetterTopic, groupId, store, logger, retry }: DeadLetterIndexOptions) {
  const log = logger.child({ component: 'dead-letter-index' });
  const runner = createKafkaRunner({
    kafka,
    topic: deadLetterTopic,
    groupId: deadLetterIndexGroup(groupId),
    logger: log,
    partitionsConsumedConcurrently: 1,
    fetchMaxWaitMs: FETCH_MAX_WAIT_MS,
    maxRecordsPerTransaction: MAX_RECORDS_PER_TRANSACTION,
    async process(partition, messages, heartbeat) {
      const rows = messages.map((message) => deadLetterRowOf(deadLetterTopic, partition, message));
      try {
        const added = await retryUntilDone(() => store.index(rows), {
          policy: retry,
          // Whatever the failure, the records stay unindexed until it passes: nothing is skipped.
          isRetriable: () => true,
          pause: (ms) => pauseUnlessStopping(ms, { isStopping: runner.isStopping, tick: heartbeat, what: 'indexing dead letters' }),
          onRetry: (failure, attempt, delayMs) => log.warn({ err: failure, attempt: attempt + 1, delayMs }, 'could not index dead letters; retrying'),
        });
        if (added > 0) log.info({ partition, added }, 'dead letters indexed');
        return true;
      } catch (error) {
        if (error instanceof Abandonment) return false;
        throw error;
      }
    },
    onCommitted: () => undefined,
    onGroupJoin: () => undefined,
  });
  return { start: () => runner.start(), stop: () => runner.stop() };
}

export type DeadLetterIndex = ReturnType<typeof createDeadLetterIndex>;
