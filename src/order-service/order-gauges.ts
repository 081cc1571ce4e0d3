import type { Admin } from 'kafkajs';
import type { Logger } from '../logger';
import { refreshConsumerLag } from '../lib/consumer';
import type { Metrics } from '../lib/metrics';
import type { OrderRepository } from './order-repository';

/**
 * Refreshes the consumer-lag gauge (from Kafka) and the orders-by-status and revenue gauges (from
 * the database). Each source apart: one being down skips only its own gauges, which keep their
 * last values until the next refresh.
 */
export function createOrderGauges({ admin, topic, groupId, repository, metrics, logger }: { admin: Admin; topic: string; groupId: string; repository: OrderRepository; metrics: Metrics; logger: Logger }) {
  async function refreshOrderGauges(): Promise<void> {
    const summary = await repository.summary();
    metrics.ordersByStatus.reset();
    for (const [status, count] of Object.entries(summary.ordersByStatus)) metrics.ordersByStatus.set({ status }, count);
    metrics.revenue.reset();
    for (const [currency, amount] of Object.entries(summary.revenueByCurrency)) metrics.revenue.set({ currency }, Number(amount));
  }

  return async function refreshGauges(): Promise<void> {
    await Promise.all([
      refreshConsumerLag({ admin, topic, groupId, metrics }).catch((error: unknown) => logger.debug({ err: error }, 'could not refresh the consumer-lag gauge')),
      refreshOrderGauges().catch((error: unknown) => logger.debug({ err: error }, 'could not refresh the order gauges')),
    ]);
  };
}
