import type { KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger';
import type { ApplyRecords, DeadLetterPublisher, DecodedRecords } from '../lib/consumer';
import { timeDbOperation, type Metrics } from '../lib/metrics';
import type { NotificationDraft } from './notification-drafts';
import type { NotificationRepository } from './notification-repository';

export interface NotificationBatchApplierOptions<Event> {
  /** Sorts fetched records into checked events and poison; throws (retriable) when the registry cannot answer. */
  decodeRecords(partition: number, messages: readonly KafkaMessage[]): Promise<DecodedRecords<Event>>;
  /** The notification an event becomes. */
  draft(event: Event): NotificationDraft;
  repository: NotificationRepository;
  deadLetters: DeadLetterPublisher;
  /** True when a WEBHOOK_URL is configured: new notifications are then due for delivery. */
  webhooks: boolean;
  /** Told after a batch stored new notifications (the webhook dispatcher wakes up). */
  onStored(): void;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Stores the notifications of one partition's batch, for either topic: dead-letters its poison,
 * then writes a notification per event in ONE statement, skipping events already notified (a
 * redelivery, a duplicate). Resolves with the rows written, so the offsets are committed only
 * once they are in PostgreSQL.
 */
export function createNotificationBatchApplier<Event>({ decodeRecords, draft, repository, deadLetters, webhooks, onStored, metrics, logger }: NotificationBatchApplierOptions<Event>): ApplyRecords {
  return async function applyRecords(partition, messages) {
    const { valid, poison } = await decodeRecords(partition, messages);
    await deadLetters.publish(partition, poison);
    if (valid.length === 0) return 0;
    const drafts = valid.map(draft);
    const stored = new Set(await timeDbOperation(metrics, 'store_notifications', () => repository.insertNew(drafts, { webhooks })));
    const written = stored.size;
    const now = Date.now();
    for (const { sourceEventId, sourceEventType, orderId, kind, occurredAt } of drafts) {
      // Compared lowercase: PostgreSQL returns uuids so, whatever case the event spelled them in.
      const isNew = stored.delete(sourceEventId.toLowerCase());
      metrics.eventsConsumed.inc({ event_type: sourceEventType, outcome: isNew ? 'notified' : 'duplicate' });
      if (!isNew) continue;
      metrics.eventToPersistedLatency.observe({ event_type: sourceEventType }, Math.max(0, now - occurredAt.getTime()) / 1000);
      logger.debug({ orderId, eventId: sourceEventId, kind }, 'notification stored');
    }
    if (written > 0) onStored();
    return written;
  };
}
