import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger';
import type { ApplyRecords, DeadLetterPublisher } from '../lib/consumer';
import { timeDbOperation, type Metrics } from '../lib/metrics';
import type { DecodedRecords } from '../lib/order-events';
import type { AnswerPublisher } from './answer-publisher';
import type { InventoryRepository } from './inventory-repository';
import { planInventory, type InventoryPlan } from './reservation-planner';

export interface InventoryBatchApplierOptions {
  repository: InventoryRepository;
  decodeRecords(partition: number, messages: readonly KafkaMessage[]): Promise<DecodedRecords>;
  deadLetters: DeadLetterPublisher;
  answers: AnswerPublisher;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Applies order events of one partition: dead-letters their poison, decides the rest in ONE
 * transaction (stock, reservations and the answers, all or nothing), then sends the answers and
 * only then lets the offsets be committed. A failure to send retries the batch, which finds its
 * events answered and sends the same answers again: nothing is decided twice.
 */
export function createInventoryBatchApplier({ repository, decodeRecords, deadLetters, answers, metrics, logger }: InventoryBatchApplierOptions): ApplyRecords {
  function record(plan: InventoryPlan, types: ReadonlyMap<string, string>): void {
    for (const { eventId, orderId, decision } of plan.decisions) {
      // 'rejected' means a refused event in the order service; here it is an order out of stock.
      metrics.eventsConsumed.inc({ event_type: types.get(eventId) ?? 'unknown', outcome: decision === 'rejected' ? 'out_of_stock' : decision });
      if (decision !== 'ignored') logger.debug({ orderId, eventId, decision }, `order event ${decision}`);
    }
  }

  return async function applyRecords(partition, messages) {
    const { valid, poison } = await decodeRecords(partition, messages);
    await deadLetters.publish(partition, poison);
    if (valid.length === 0) return 0;
    const plan = await timeDbOperation(metrics, 'apply_batch', () =>
      repository.inBatchTransaction(async (tx) => {
        const batchPlan = planInventory(valid, await tx.loadState(valid), { now: new Date(), newEventId: randomUUID });
        await tx.writePlan(batchPlan);
        return batchPlan;
      }),
    );
    await answers.publish(plan.publish);
    record(plan, new Map(valid.map((event) => [event.eventId, event.type])));
    // What the transaction wrote: the evidence the isolation policy needs that the database accepts writes.
    return plan.answers.size;
  };
}
