import type { OrderJson } from '../domain';
import { AppError } from '../errors';
import { createMicroBatcher, type BatchOutcome } from '../lib/batching';
import type { CartOrderRepository } from './cart-order-repository';
import type { OrderEventPublisher, OutgoingEvent } from './order-event-publisher';

/** A validated new order with its OrderCreated event, encoded and ready to send. */
export interface NewOrder {
  order: OrderJson;
  event: OutgoingEvent;
}

export interface OrderCreationBatcherOptions {
  repository: CartOrderRepository;
  publisher: OrderEventPublisher;
  lingerMs: number;
  maxBatch: number;
}

/**
 * Group commit for new orders: the creates that arrive together share one transaction, one
 * multi-row insert and one Kafka produce call. Per batch: record the ids (an id already
 * known, or twice in the batch, answers 409), send the OrderCreated events of the new ones
 * and wait for Kafka's acknowledgement, then commit. When Kafka does not acknowledge, the
 * transaction rolls back and every create of the batch answers 503 — nothing half-written.
 */
export function createOrderCreationBatcher({ repository, publisher, lingerMs, maxBatch }: OrderCreationBatcherOptions) {
  const batcher = createMicroBatcher<NewOrder, { eventId: string }>({
    lingerMs,
    maxBatch,
    process: (batch) =>
      repository.transaction(async (trx): Promise<Array<BatchOutcome<{ eventId: string }>>> => {
        const firstOfItsId = new Map<string, NewOrder>();
        for (const entry of batch) if (!firstOfItsId.has(entry.order.orderId)) firstOfItsId.set(entry.order.orderId, entry);
        const inserted = await repository.insertNew(trx, [...firstOfItsId.values()].map((entry) => entry.order));
        const accepted = new Set(batch.filter((entry) => firstOfItsId.get(entry.order.orderId) === entry && inserted.has(entry.order.orderId)));
        if (accepted.size > 0) await publisher.sendInOneCall([...accepted].map((entry) => entry.event));
        return batch.map((entry) =>
          accepted.has(entry)
            ? { ok: true, value: { eventId: entry.event.eventId } }
            : { ok: false, error: new AppError('CONFLICT', `order '${entry.order.orderId}' already exists`) },
        );
      }),
  });

  return {
    /** Resolves once the order is committed and its event acknowledged by Kafka. */
    create: (newOrder: NewOrder) => batcher.submit(newOrder),
    /** Finishes the creates that wait or are in flight. */
    flush: () => batcher.flush(),
  };
}

export type OrderCreationBatcher = ReturnType<typeof createOrderCreationBatcher>;
