import { expect } from 'chai';
import type { Admin } from 'kafkajs';
import { createLogger } from '../../../src/logger';
import { createMetrics, type Metrics } from '../../../src/lib/metrics';
import { createOrderGauges } from '../../../src/order-service/order-gauges';
import type { OrderRepository } from '../../../src/order-service/order-repository';

const TOPIC = 'order-events';

/** Kafka's side: partition 0 ends at `high`, and the group committed 40 there. */
function kafkaAt(high: number | Error): Admin {
  const admin: Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets'> = {
    fetchTopicOffsets: async () => {
      if (high instanceof Error) throw high;
      return [{ partition: 0, offset: String(high), high: String(high), low: '0' }];
    },
    fetchOffsets: async () => [{ topic: TOPIC, partitions: [{ partition: 0, offset: '40', metadata: null }] }],
  };
  // Only the two calls above are made; the rest of the admin client is not needed.
  return admin as Admin;
}

/** The database's side: what the summary query finds, or its failure. */
function databaseWith(summary: { pending: number; revenue: string } | Error): OrderRepository {
  const repository: Pick<OrderRepository, 'summary'> = {
    summary: async () => {
      if (summary instanceof Error) throw summary;
      return { totalOrders: summary.pending, ordersByStatus: { pending: summary.pending }, revenueByCurrency: { EUR: summary.revenue } };
    },
  };
  // Only summary() is called by the gauges.
  return repository as OrderRepository;
}

async function gaugeValues(metrics: Metrics): Promise<{ lag?: number; pending?: number; revenue?: number }> {
  const [lag, orders, revenue] = await Promise.all([metrics.consumerLag.get(), metrics.ordersByStatus.get(), metrics.revenue.get()]);
  return {
    lag: lag.values.find((value) => value.labels.partition === '0')?.value,
    pending: orders.values.find((value) => value.labels.status === 'pending')?.value,
    revenue: revenue.values.find((value) => value.labels.currency === 'EUR')?.value,
  };
}

describe('order gauges', () => {
  const logger = createLogger('silent');

  function refresher(metrics: Metrics, admin: Admin, repository: OrderRepository) {
    return createOrderGauges({ admin, topic: TOPIC, groupId: 'order-service', repository, metrics, logger });
  }

  it('sets the lag from Kafka and the orders and revenue from the database', async () => {
    const metrics = createMetrics('order-service');
    await refresher(metrics, kafkaAt(100), databaseWith({ pending: 3, revenue: '12.50' }))();
    expect(await gaugeValues(metrics)).to.deep.equal({ lag: 60, pending: 3, revenue: 12.5 });
  });

  it('keeps refreshing the order gauges while Kafka cannot be asked, and the lag keeps its last value', async () => {
    const metrics = createMetrics('order-service');
    await refresher(metrics, kafkaAt(100), databaseWith({ pending: 3, revenue: '12.50' }))();
    await refresher(metrics, kafkaAt(new Error('broker down')), databaseWith({ pending: 5, revenue: '20.00' }))();
    expect(await gaugeValues(metrics)).to.deep.equal({ lag: 60, pending: 5, revenue: 20 });
  });

  it('keeps refreshing the lag while the database fails, and the order gauges keep their last values', async () => {
    const metrics = createMetrics('order-service');
    await refresher(metrics, kafkaAt(100), databaseWith({ pending: 3, revenue: '12.50' }))();
    await refresher(metrics, kafkaAt(140), databaseWith(new Error('terminating connection due to administrator command')))();
    expect(await gaugeValues(metrics)).to.deep.equal({ lag: 100, pending: 3, revenue: 12.5 });
  });
});
