import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../logger';
import { createDeadLetterPublisher, createIsolatingProcessor, createIsolationPolicy, createKafkaRunner, everyInterval } from '../lib/consumer';
import { ensureTopics } from '../lib/kafka';
import type { Metrics } from '../lib/metrics';
import type { RetryPolicy } from '../lib/retry';
import { createOrderBatchApplier } from './order-batch-applier';
import { createOrderGauges } from './order-gauges';
import { createOrderRecordDecoder, type OrderEventDecoder } from './order-record-decoder';
import type { OrderRepository } from './order-repository';

export type { OrderEventDecoder } from './order-record-decoder';

export interface OrderConsumerOptions {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  repository: OrderRepository;
  decoder: OrderEventDecoder;
  metrics: Metrics;
  logger: Logger;
  retry?: RetryPolicy;
  /** Partitions processed in parallel by this instance. */
  partitionsConsumedConcurrently?: number;
  /** Longest a fetch waits for more events (CONSUMER_FETCH_MAX_WAIT_MS). */
  fetchMaxWaitMs?: number;
  /** Most events applied in one database transaction. */
  maxEventsPerTransaction?: number;
  /** How often consumer lag and the order gauges are refreshed; 0 turns it off. */
  gaugeIntervalMs?: number;
}

/** Backoff of transient failures (a database or broker outage): retried for as long as it lasts, at most this far apart. */
export const TRANSIENT_RETRY: RetryPolicy = { initialMs: 200, maxMs: 30_000 };

const DEFAULTS = {
  retry: TRANSIENT_RETRY,
  partitionsConsumedConcurrently: 3,
  fetchMaxWaitMs: 20,
  maxEventsPerTransaction: 10_000,
  gaugeIntervalMs: 5_000,
} as const;

/** Split rounds in a row without an applied record before a failing batch is handed back (see createIsolationPolicy). */
const LONE_FAILURE_ROUNDS = 3;

export interface OrderConsumer {
  start(): Promise<void>;
  /** Finishes the batch in hand, commits it, leaves the group and disconnects. */
  stop(): Promise<void>;
}

/**
 * The order service's consumer, assembled from the consumer kit: each fetched batch is decoded,
 * its poison dead-lettered, the rest applied in ONE transaction (deduplicated by event id,
 * serialised per partition), and only then are the offsets committed. Transient failures are
 * retried with capped backoff, never skipped; a batch failing for any other reason is split so
 * that only the offending record is dead-lettered, and only when other records show the failure
 * is its own.
 */
export function createOrderConsumer(options: OrderConsumerOptions): OrderConsumer {
  const settings = { ...DEFAULTS, ...options };
  const { kafka, admin, topic, deadLetterTopic, groupId, repository, metrics } = settings;
  const logger = settings.logger.child({ component: 'consumer' });
  const deadLetters = createDeadLetterPublisher({ kafka, sourceTopic: topic, deadLetterTopic, metrics, logger });
  const policy = createIsolationPolicy({ loneFailureRounds: LONE_FAILURE_ROUNDS });
  const decodeRecords = createOrderRecordDecoder({ decoder: settings.decoder, topic, metrics });
  const apply = createOrderBatchApplier({ topic, repository, decodeRecords, deadLetters, metrics, logger });
  const runner = createKafkaRunner({
    kafka,
    topic,
    groupId,
    logger,
    partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
    fetchMaxWaitMs: settings.fetchMaxWaitMs,
    maxRecordsPerTransaction: settings.maxEventsPerTransaction,
    process: (partition, messages, heartbeat) => processor(partition, messages, heartbeat),
    onCommitted: (partition, offsets) => deadLetters.forget(partition, offsets),
    onGroupJoin: () => policy.reset(),
  });
  const processor = createIsolatingProcessor({ apply, deadLetters, policy, retry: settings.retry, isStopping: runner.isStopping, logger });
  const refreshGauges = createOrderGauges({ admin, topic, groupId, repository, metrics, logger });
  let stopGauges = async (): Promise<void> => undefined;

  return {
    async start() {
      await deadLetters.start();
      // The order service may start before any order was created: subscribing needs the topic.
      const created = await ensureTopics(admin, [topic, deadLetterTopic]);
      if (created.length > 0) logger.info({ topics: created }, 'created topics');
      await runner.start();
      stopGauges = everyInterval(settings.gaugeIntervalMs, refreshGauges);
    },

    async stop() {
      await stopGauges();
      await runner.stop();
      await deadLetters.stop();
    },
  };
}
