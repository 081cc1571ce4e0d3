import type { Admin, Kafka } from 'kafkajs';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { CONSUMER_LAG_INTERVAL_MS, createEventConsumer, type EventConsumer } from '../lib/consumer';
import type { Metrics } from '../lib/metrics';
import { createOrderRecordDecoder } from '../lib/order-events';
import { createInventoryEventSerde, createOrderEventSerde } from '../lib/registry';
import type { RetryPolicy } from '../lib/retry';
import { createInventoryNoticeDecoder } from './inventory-notice-decoder';
import { createNotificationBatchApplier } from './notification-batch-applier';
import { draftOfInventoryEvent, draftOfOrderEvent } from './notification-drafts';
import type { NotificationRepository } from './notification-repository';

/** Partitions of each topic processed at once by one instance. */
export const PARTITIONS_CONCURRENTLY = 2;

export interface NotificationConsumersOptions {
  config: Config;
  kafka: Kafka;
  admin: Admin;
  repository: NotificationRepository;
  /** True when webhooks are on: new notifications are due for delivery. */
  webhooks: boolean;
  /** Told when a batch stored new notifications. */
  onStored(): void;
  retry: RetryPolicy;
  metrics: Metrics;
  logger: Logger;
}

/**
 * The service's two consumer group members, one per topic, each in a group of its own
 * (NOTIFICATION_CONSUMER_GROUP_ID plus .order-events or .inventory-events) so each topic's
 * offsets are committed on their own; both dead-letter to NOTIFICATION_DEAD_LETTER_TOPIC.
 */
export function createNotificationConsumers({ config, kafka, admin, repository, webhooks, onStored, retry, metrics, logger }: NotificationConsumersOptions): EventConsumer[] {
  const common = {
    kafka,
    admin,
    deadLetterTopic: config.NOTIFICATION_DEAD_LETTER_TOPIC,
    metrics,
    logger,
    retry,
    partitionsConsumedConcurrently: PARTITIONS_CONCURRENTLY,
    fetchMaxWaitMs: config.CONSUMER_FETCH_MAX_WAIT_MS,
    maxRecordsPerTransaction: 1_000,
    lagIntervalMs: CONSUMER_LAG_INTERVAL_MS,
  };
  const storing = { repository, webhooks, onStored, metrics, logger: logger.child({ component: 'consumer' }) };
  const orderRecords = createOrderRecordDecoder({
    decoder: createOrderEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.ORDER_EVENTS_TOPIC }),
    topic: config.ORDER_EVENTS_TOPIC,
    metrics,
  });
  const inventoryRecords = createInventoryNoticeDecoder({
    decoder: createInventoryEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.INVENTORY_EVENTS_TOPIC }),
    topic: config.INVENTORY_EVENTS_TOPIC,
    metrics,
  });
  return [
    createEventConsumer({
      ...common,
      topic: config.ORDER_EVENTS_TOPIC,
      groupId: `${config.NOTIFICATION_CONSUMER_GROUP_ID}.order-events`,
      applier: (deadLetters) => createNotificationBatchApplier({ ...storing, decodeRecords: orderRecords, draft: draftOfOrderEvent, deadLetters }),
    }),
    createEventConsumer({
      ...common,
      topic: config.INVENTORY_EVENTS_TOPIC,
      groupId: `${config.NOTIFICATION_CONSUMER_GROUP_ID}.inventory-events`,
      applier: (deadLetters) => createNotificationBatchApplier({ ...storing, decodeRecords: inventoryRecords, draft: draftOfInventoryEvent, deadLetters }),
    }),
  ];
}
