import type { KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger';
import type { ApplyRecords, DeadLetterPublisher, DecodedRecords } from '../lib/consumer';
import type { ValidInventoryEvent } from '../lib/inventory-events';
import { timeDbOperation, type Metrics } from '../lib/metrics';
import type { OrderStockStore } from './order-stock-store';

export interface StockEventApplierOptions {
  store: OrderStockStore;
  decodeRecords(partition: number, messages: readonly KafkaMessage[]): Promise<DecodedRecords<ValidInventoryEvent>>;
  deadLetters: DeadLetterPublisher;
  metrics: Metrics;
  logger: Logger;
}

/** Applies inventory events of one partition: poison to the dead-letter topic, the rest in one transaction, each once. */
export function createStockEventApplier({ store, decodeRecords, deadLetters, metrics, logger }: StockEventApplierOptions): ApplyRecords {
  return async function applyRecords(partition, messages) {
    const { valid, poison } = await decodeRecords(partition, messages);
    await deadLetters.publish(partition, poison);
    if (valid.length === 0) return 0;
    const applied = await timeDbOperation(metrics, 'apply_stock_batch', () => store.applyBatch(valid));
    const fresh = new Set(applied.map((event) => event.eventId));
    for (const event of valid) {
      const outcome = fresh.has(event.eventId) ? 'applied' : 'duplicate';
      metrics.eventsConsumed.inc({ event_type: event.type, outcome });
      logger.debug({ orderId: event.orderId, eventId: event.eventId, eventType: event.type, outcome }, `stock event ${outcome}`);
    }
    return applied.length;
  };
}
