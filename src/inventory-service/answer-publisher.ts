import type { Kafka } from 'kafkajs';
import { AppError, toAppError } from '../errors';
import { createIdempotentSender } from '../lib/kafka';
import type { Metrics } from '../lib/metrics';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, type InventoryEvent, type InventoryEventSerde } from '../lib/registry';

/** How long Kafka may take to acknowledge a batch of answers before the batch is retried. */
const SEND_TIMEOUT_MS = 10_000;

export interface AnswerPublisher {
  /** Resolves when Kafka acknowledged every answer (acks=all), in order per order id; rejects with a retriable error otherwise. */
  publish(answers: readonly InventoryEvent[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Sends the inventory events that answer order events to INVENTORY_EVENTS_TOPIC, keyed by order
 * id, with an idempotent producer. An answer is sent after the transaction that decided it
 * committed and before the order events' offsets are committed: a crash between the two sends it
 * again with the same event id, which readers drop.
 */
export function createAnswerPublisher({ kafka, topic, serde, metrics }: { kafka: Kafka; topic: string; serde: InventoryEventSerde; metrics: Metrics }): AnswerPublisher {
  const sender = createIdempotentSender({ kafka, timeoutMs: SEND_TIMEOUT_MS });
  return {
    async publish(answers) {
      if (answers.length === 0) return;
      try {
        await send(answers);
      } catch (error) {
        // The answers' decisions are committed: whatever failed here is never an order event's
        // fault, so the batch is retried (and answered again), never dead-lettered.
        const failure = toAppError(error);
        throw failure.retriable ? failure : new AppError('DEPENDENCY_UNAVAILABLE', `the answers could not be sent: ${failure.message}`, { cause: error });
      }
    },
    stop: () => sender.disconnect(),
  };

  async function send(answers: readonly InventoryEvent[]): Promise<void> {
    const messages = await Promise.all(
      answers.map(async (answer) => ({
        key: answer.event.orderId,
        value: await serde.encode(answer),
        headers: { [EVENT_TYPE_HEADER]: answer.type, [EVENT_ID_HEADER]: answer.event.eventId },
      })),
    );
    try {
      await sender.send([{ topic, messages }]);
    } catch (error) {
      for (const answer of answers) metrics.eventsProduced.inc({ event_type: answer.type, outcome: 'failed' });
      throw error;
    }
    for (const answer of answers) metrics.eventsProduced.inc({ event_type: answer.type, outcome: 'acknowledged' });
  }
}
