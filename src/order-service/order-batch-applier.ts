import type { KafkaMessage } from 'kafkajs';
import type { Logger } from '../logger';
import type { DeadLetterPublisher } from '../lib/consumer';
import { timeDbOperation, type Metrics } from '../lib/metrics';
import { planBatch, type EventOutcome } from './order-event-handler';
import type { DecodedRecords } from '../lib/order-events';
import type { OrderRepository } from './order-repository';

export interface OrderBatchApplierOptions {
  topic: string;
  repository: OrderRepository;
  decodeRecords(partition: number, messages: readonly KafkaMessage[]): Promise<DecodedRecords>;
  deadLetters: DeadLetterPublisher;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Applies records of one partition: dead-letters their poison, then decides and writes the
 * valid events in ONE transaction (deduplicated by event id, serialised per partition). Resolves
 * with the number of events the committed transaction wrote (applied, parked or refused; not the
 * duplicates, which write nothing); rejects with nothing written to the database.
 */
export function createOrderBatchApplier({ topic, repository, decodeRecords, deadLetters, metrics, logger }: OrderBatchApplierOptions) {
  /** Counts and logs a committed batch's outcomes: label lookups once per batch and type, not per event. */
  function record(outcomes: readonly EventOutcome[]): void {
    const now = Date.now();
    const counts = new Map<string, number>();
    const latency = new Map<string, { observe(seconds: number): void }>();
    const debug = logger.isLevelEnabled('debug');
    for (const outcome of outcomes) {
      const key = `${outcome.type}/${outcome.outcome}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (outcome.outcome === 'applied') {
        let observer = latency.get(outcome.type);
        if (!observer) latency.set(outcome.type, (observer = metrics.eventToPersistedLatency.labels({ event_type: outcome.type })));
        observer.observe(Math.max(0, now - outcome.occurredAt.getTime()) / 1000);
      }
      if (outcome.outcome === 'rejected' || outcome.outcome === 'parked' || debug) {
        logger[outcome.outcome === 'rejected' ? 'warn' : 'debug'](
          { orderId: outcome.orderId, eventId: outcome.eventId, eventType: outcome.type, outcome: outcome.outcome, reason: outcome.reason },
          `event ${outcome.outcome}`,
        );
      }
    }
    for (const [key, count] of counts) {
      const [eventType = '', outcome = ''] = key.split('/');
      metrics.eventsConsumed.inc({ event_type: eventType, outcome }, count);
    }
  }

  return async function applyRecords(partition: number, messages: KafkaMessage[]): Promise<number> {
    const { valid, poison } = await decodeRecords(partition, messages);
    await deadLetters.publish(partition, poison);
    if (valid.length === 0) return 0;
    const eventIds = [...new Set(valid.map((event) => event.eventId))];
    const orderIds = [...new Set(valid.map((event) => event.orderId))];
    const plan = await timeDbOperation(metrics, 'apply_batch', () =>
      repository.inBatchTransaction({ topic, partition }, async (tx) => {
        const batchPlan = planBatch(valid, await tx.loadState(eventIds, orderIds));
        await tx.writePlan(batchPlan);
        return batchPlan;
      }),
    );
    record(plan.outcomes);
    // A duplicate writes nothing, so it proves nothing about the database accepting writes.
    return plan.outcomes.filter((outcome) => outcome.outcome !== 'duplicate').length;
  };
}
