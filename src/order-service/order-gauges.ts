import type { Admin } from 'kafkajs';
import type { Logger } from '../logger';
import { refreshConsumerLag } from '../lib/consumer';
import type { Metrics } from '../lib/metrics';
import type { OrderRepository } from './order-repository';

/** Refreshes the consumer-lag gauge and the orders-by-status and revenue gauges; a failure only skips this refresh. */
export function createOrderGauges({ admin, topic, groupId, repository, metrics, logger }: { admin: Admin; topic: string; groupId: string; repository: OrderRepository; metrics: Metrics; logger: Logger }) {
  return async function refreshGauges(): Promise<void> {
    try {
      await refreshConsumerLag({ admin, topic, groupId, metrics });
      const summary = await repository.summary();
      metrics.ordersByStatus.reset();
      for (const [status, count] of Object.entries(summary.ordersByStatus)) metrics.ordersByStatus.set({ status }, count);
      metrics.revenue.reset();
      for (const [currency, amount] of Object.entries(summary.revenueByCurrency)) metrics.revenue.set({ currency }, Number(amount));
    } catch (error) {
      logger.debug({ err: error }, 'could not refresh lag and order gauges');
    }
  };
}
