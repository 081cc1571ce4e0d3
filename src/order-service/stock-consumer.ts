import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '../logger';
import { CONSUMER_LAG_INTERVAL_MS, createEventConsumer, type EventConsumer } from '../lib/consumer';
import { createInventoryRecordDecoder, type InventoryEventDecoder } from '../lib/inventory-events';
import type { Metrics } from '../lib/metrics';
import type { RetryPolicy } from '../lib/retry';
import type { OrderStockStore } from './order-stock-store';
import { createStockEventApplier } from './stock-event-applier';

export interface StockConsumerOptions {
  kafka: Kafka;
  admin: Admin;
  /** INVENTORY_EVENTS_TOPIC. */
  topic: string;
  /** The order service's dead-letter topic: its dlq-source headers say which topic a record came from. */
  deadLetterTopic: string;
  /** The order service's group (CONSUMER_GROUP_ID); this consumer's is derived from it. */
  groupId: string;
  store: OrderStockStore;
  decoder: InventoryEventDecoder;
  metrics: Metrics;
  logger: Logger;
  retry: RetryPolicy;
  fetchMaxWaitMs: number;
}

/** The group of the order service's consumer of the inventory events: its own, so each topic's offsets and rebalances stay apart. */
export function stockGroupId(groupId: string): string {
  return `${groupId}.inventory-events`;
}

/** The order service's consumer of the inventory events: each order's stock state, from the consumer kit. */
export function createStockConsumer({ kafka, admin, topic, deadLetterTopic, groupId, store, decoder, metrics, logger, retry, fetchMaxWaitMs }: StockConsumerOptions): EventConsumer {
  const decodeRecords = createInventoryRecordDecoder({ decoder, topic, metrics });
  const log = logger.child({ component: 'stock-consumer' });
  return createEventConsumer({
    kafka,
    admin,
    topic,
    deadLetterTopic,
    groupId: stockGroupId(groupId),
    metrics,
    logger,
    applier: (deadLetters) => createStockEventApplier({ store, decodeRecords, deadLetters, metrics, logger: log }),
    retry,
    partitionsConsumedConcurrently: 3,
    fetchMaxWaitMs,
    maxRecordsPerTransaction: 1_000,
    lagIntervalMs: CONSUMER_LAG_INTERVAL_MS,
  });
}
