import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../../logger';
import { ensureTopics } from '../kafka';
import type { Metrics } from '../metrics';
import type { RetryPolicy } from '../retry';
import { everyInterval, refreshConsumerLag } from './consumer-lag';
import { createDeadLetterPublisher, type DeadLetterPublisher } from './dead-letter-publisher';
import { createIsolatingProcessor, type ApplyRecords } from './isolating-processor';
import { createIsolationPolicy } from './isolation-policy';
import { createKafkaRunner } from './kafka-runner';

/** How often the consumers of the inventory and notification services refresh their consumer-lag gauge. */
export const CONSUMER_LAG_INTERVAL_MS = 5_000;

/** Split rounds in a row without an applied record before a failing batch is handed back (see createIsolationPolicy). */
const LONE_FAILURE_ROUNDS = 3;

export interface EventConsumerOptions {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  metrics: Metrics;
  logger: Logger;
  /** Builds what applies a batch of one partition, given where its poison goes. */
  applier(deadLetters: DeadLetterPublisher): ApplyRecords;
  /** Backoff of transient failures: retried for as long as they last, never skipped. */
  retry: RetryPolicy;
  /** Partitions processed in parallel by this instance. */
  partitionsConsumedConcurrently: number;
  /** Longest a fetch waits for more events (CONSUMER_FETCH_MAX_WAIT_MS). */
  fetchMaxWaitMs: number;
  /** Most records applied in one database transaction. */
  maxRecordsPerTransaction: number;
  /** Work repeated while the consumer runs (gauges), every `intervalMs`; 0 turns it off. */
  periodic?: { intervalMs: number; run(): Promise<void> };
  /** How often the consumer-lag gauge of this topic and group is refreshed; 0 (the default): not here (the order service's `periodic` does it with its other gauges). */
  lagIntervalMs?: number;
}

export interface EventConsumer {
  start(): Promise<void>;
  /** Finishes the batch in hand, commits it, leaves the group and disconnects. */
  stop(): Promise<void>;
}

/**
 * A consumer group member assembled from the consumer kit: each fetched batch goes to the
 * applier (which dead-letters its poison and writes the rest in one transaction), and only then
 * are its offsets committed. Transient failures are retried with capped backoff, never skipped;
 * a batch failing for any other reason is split so that only the offending record is
 * dead-lettered, and only when other records show the failure is its own.
 */
export function createEventConsumer(options: EventConsumerOptions): EventConsumer {
  const { kafka, admin, topic, deadLetterTopic, groupId, metrics } = options;
  const refreshLag = () => refreshConsumerLag({ admin, topic, groupId, metrics }).catch((error: unknown) => logger.debug({ err: error }, 'could not refresh the consumer-lag gauge'));
  const repeated = [options.periodic, options.lagIntervalMs ? { intervalMs: options.lagIntervalMs, run: refreshLag } : undefined].filter((task) => task !== undefined);
  const logger = options.logger.child({ component: 'consumer', topic });
  const deadLetters = createDeadLetterPublisher({ kafka, sourceTopic: topic, deadLetterTopic, metrics, logger });
  const policy = createIsolationPolicy({ loneFailureRounds: LONE_FAILURE_ROUNDS });
  const apply = options.applier(deadLetters);
  const runner = createKafkaRunner({
    kafka,
    topic,
    groupId,
    logger,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    fetchMaxWaitMs: options.fetchMaxWaitMs,
    maxRecordsPerTransaction: options.maxRecordsPerTransaction,
    process: (partition, messages, heartbeat) => processor(partition, messages, heartbeat),
    onCommitted: (partition, offsets) => deadLetters.forget(partition, offsets),
    onGroupJoin: () => policy.reset(),
  });
  const processor = createIsolatingProcessor({ apply, deadLetters, policy, retry: options.retry, isStopping: runner.isStopping, logger });
  let stopRepeated: Array<() => Promise<void>> = [];

  return {
    async start() {
      await deadLetters.start();
      // The consumer may start before anything was written: subscribing needs the topic.
      const created = await ensureTopics(admin, [topic, deadLetterTopic]);
      if (created.length > 0) logger.info({ topics: created }, 'created topics');
      await runner.start();
      stopRepeated = repeated.map((task) => everyInterval(task.intervalMs, task.run));
    },

    async stop() {
      await Promise.all(stopRepeated.map((stop) => stop()));
      await runner.stop();
      await deadLetters.stop();
    },
  };
}
