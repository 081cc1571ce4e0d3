import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../logger';
import { createEventConsumer, type EventConsumer } from '../lib/consumer';
import type { Metrics } from '../lib/metrics';
import { TRANSIENT_RETRY, type RetryPolicy } from '../lib/retry';
import { createOrderRecordDecoder, type OrderEventDecoder } from '../lib/order-events';
import { createOrderBatchApplier } from './order-batch-applier';
import { createOrderGauges } from './order-gauges';
import type { OrderRepository } from './order-repository';

export type { OrderEventDecoder } from '../lib/order-events';

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

const DEFAULTS = {
  retry: TRANSIENT_RETRY,
  partitionsConsumedConcurrently: 3,
  fetchMaxWaitMs: 20,
  maxEventsPerTransaction: 10_000,
  gaugeIntervalMs: 5_000,
} as const;

export type OrderConsumer = EventConsumer;

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
  const { kafka, admin, topic, groupId, repository, metrics } = settings;
  const logger = settings.logger.child({ component: 'consumer' });
  const decodeRecords = createOrderRecordDecoder({ decoder: settings.decoder, topic, metrics });
  return createEventConsumer({
    kafka,
    admin,
    topic,
    deadLetterTopic: settings.deadLetterTopic,
    groupId,
    metrics,
    logger: settings.logger,
    applier: (deadLetters) => createOrderBatchApplier({ topic, repository, decodeRecords, deadLetters, metrics, logger }),
    retry: settings.retry,
    partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
    fetchMaxWaitMs: settings.fetchMaxWaitMs,
    maxRecordsPerTransaction: settings.maxEventsPerTransaction,
    periodic: { intervalMs: settings.gaugeIntervalMs, run: createOrderGauges({ admin, topic, groupId, repository, metrics, logger }) },
  });
}
