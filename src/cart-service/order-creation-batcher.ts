import type { OrderJson } from '../domain';
import { AppError, toAppError } from '../errors';
import { createMicroBatcher, type BatchOutcome } from '../lib/batching';
import type { CartOrderRepository } from './cart-order-repository';
import { encodedSize, type OrderEventPublisher, type OutgoingEvent } from './order-event-publisher';

/** A validated new order with its OrderCreated event, encoded and ready to send. */
export interface NewOrder {
  order: OrderJson;
  event: OutgoingEvent;
}

/** What a committed create tells its caller. */
interface Created {
  eventId: string;
}

export interface OrderCreationBatcherOptions {
  repository: CartOrderRepository;
  publisher: OrderEventPublisher;
  batching: boolean;
  maxBatch: number;
  maxBatchBytes: number;
}

/**
 * Group commit for new orders: the creates that arrive together share one transaction, one
 * multi-row insert and one Kafka transaction. Per batch: record the ids (an id already
 * known, or twice in the batch, answers 409), send the OrderCreated events of the new ones
 * and wait for Kafka's commit, then commit. When Kafka does not commit, the transaction rolls
 * back and every create of the batch answers 503 — nothing half-written. A batch failing for
 * any other reason is retried one create at a time, so only the faulty create fails.
 */
export function createOrderCreationBatcher({ repository, publisher, batching, maxBatch, maxBatchBytes }: OrderCreationBatcherOptions) {
  /** One transaction, one multi-row insert and one Kafka transaction for `batch`. */
  function commitTogether(batch: NewOrder[]): Promise<Array<BatchOutcome<Created>>> {
    return repository.transaction(async (trx) => {
      const firstOfItsId = new Map<string, NewOrder>();
      for (const entry of batch) if (!firstOfItsId.has(entry.order.orderId)) firstOfItsId.set(entry.order.orderId, entry);
      const inserted = await repository.insertNew(trx, [...firstOfItsId.values()].map((entry) => entry.order));
      const accepted = new Set(batch.filter((entry) => firstOfItsId.get(entry.order.orderId) === entry && inserted.has(entry.order.orderId)));
      if (accepted.size > 0) await publisher.sendInOneCall([...accepted].map((entry) => entry.event));
      return batch.map((entry): BatchOutcome<Created> =>
        accepted.has(entry)
          ? { ok: true, value: { eventId: entry.event.eventId } }
          : { ok: false, error: new AppError('CONFLICT', `order '${entry.order.orderId}' already exists`) },
      );
    });
  }

  const batcher = createMicroBatcher<NewOrder, Created>({
    batching,
    maxBatch,
    // Bounded in bytes too: a produce call over the topic's max.message.bytes would fail whole.
    weigh: (entry) => encodedSize(entry.event),
    maxWeight: maxBatchBytes,
    async process(batch) {
      try {
        return await commitTogether(batch);
      } catch (error) {
        // A dependency outage fails every create alike (503). Anything else may be one create's
        // fault: each is retried on its own so it cannot fail the creates it shared a batch with.
        if (batch.length === 1 || toAppError(error).retriable) throw error;
        return Promise.all(
          batch.map((entry) =>
            commitTogether([entry]).then(
              ([outcome]): BatchOutcome<Created> => outcome ?? { ok: false, error: new AppError('INTERNAL', 'no outcome for a create') },
              (failure: unknown): BatchOutcome<Created> => ({ ok: false, error: failure }),
            ),
          ),
        );
      }
    },
  });

  return {
    /** Resolves once the order is committed and its event acknowledged by Kafka. */
    create: (newOrder: NewOrder) => batcher.submit(newOrder),
    /** Finishes the creates that wait or are in flight. */
    flush: () => batcher.flush(),
  };
}

export type OrderCreationBatcher = ReturnType<typeof createOrderCreationBatcher>;
