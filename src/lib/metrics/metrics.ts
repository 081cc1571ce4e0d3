import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  /** Reads the cart outbox's depth at scrape time (the cart service passes it). */
  sampleOutbox?: () => Promise<{ rows: number; oldestAgeSeconds: number }>;
  /** Counts the notifications whose webhook is still to be delivered, at scrape time (the notification service passes it). */
  sampleWebhookBacklog?: () => Promise<number>;
}

/**
 * Every Prometheus metric of Orderflow, defined once. Each service builds its own set in
 * its own registry (so tests can run both services in one process). Label values are
 * bounded: event types, outcomes, routes and reasons — never an order id.
 */
export function createMetrics(service: 'cart-service' | 'order-service' | 'inventory-service' | 'notification-service', { sampleOutbox, sampleWebhookBacklog }: MetricsOptions = {}) {
  const registry = new Registry();
  // Both outbox gauges are collected together at each scrape: one query serves both.
  let sampling: Promise<{ rows: number; oldestAgeSeconds: number }> | undefined;
  const outboxSample = () => {
    sampling ??= (sampleOutbox?.() ?? Promise.resolve({ rows: 0, oldestAgeSeconds: 0 }))
      .catch(() => ({ rows: NaN, oldestAgeSeconds: NaN }))
      .finally(() => {
        sampling = undefined;
      });
    return sampling;
  };
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });

  const metrics = {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    eventsProduced: new Counter({
      name: 'orderflow_events_produced_total',
      help: 'Events sent to Kafka (by the cart outbox relay, and the inventory service\'s answers), by event type and outcome (acknowledged, or failed and to be sent again).',
      labelNames: ['event_type', 'outcome'] as const,
      registers: [registry],
    }),
    produceBatchSize: new Histogram({
      name: 'orderflow_produce_batch_events',
      help: 'Events carried by one produce call of the cart outbox relay.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers: [registry],
    }),
    outboxRows: new Gauge({
      name: 'orderflow_outbox_rows',
      help: 'Events committed by the cart service and not yet acknowledged by Kafka (rows in its outbox).',
      registers: [registry],
      async collect() {
        if (sampleOutbox) this.set((await outboxSample()).rows);
      },
    }),
    outboxOldestRowAge: new Gauge({
      name: 'orderflow_outbox_oldest_row_age_seconds',
      help: 'Age of the oldest event waiting in the cart outbox (0 when it is empty): how far publication lags behind commits.',
      registers: [registry],
      async collect() {
        if (sampleOutbox) this.set((await outboxSample()).oldestAgeSeconds);
      },
    }),
    outboxParked: new Counter({
      name: 'orderflow_outbox_parked_total',
      help: 'Outbox events Kafka refused outright (e.g. larger than the topic accepts), set aside in cart_outbox_parked for an operator.',
      labelNames: ['event_type'] as const,
      registers: [registry],
    }),
    outboxRelayLeader: new Gauge({
      name: 'orderflow_outbox_relay_leader',
      help: '1 when this cart instance is the one publishing the outbox, 0 when it stands by.',
      registers: [registry],
    }),
    eventsConsumed: new Counter({
      name: 'orderflow_events_consumed_total',
      help: 'Events a consumer consumed, by event type and outcome. Order service: applied, duplicate, parked, rejected, dead_lettered; expired: a parked update refused at the end of the dedup window. Inventory service: reserved, out_of_stock, released, committed, resent (answered again), ignored. Notification service: notified, duplicate (its notification was already stored).',
      labelNames: ['event_type', 'outcome'] as const,
      registers: [registry],
    }),
    eventToPersistedLatency: new Histogram({
      name: 'orderflow_event_to_persisted_seconds',
      help: 'Time from an event being produced (its time) to its effect being committed in PostgreSQL.',
      labelNames: ['event_type'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'orderflow_consumer_lag_messages',
      help: "Messages between a consumer group's committed offset and the partition end, per topic the service consumes.",
      labelNames: ['topic', 'partition'] as const,
      registers: [registry],
    }),
    dbQueryDuration: new Histogram({
      name: 'orderflow_db_query_duration_seconds',
      help: 'Duration of database operations, by operation.',
      labelNames: ['operation'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'orderflow_dead_letters_total',
      help: 'Messages sent to the dead-letter topic, by reason.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    registryErrors: new Counter({
      name: 'orderflow_schema_registry_errors_total',
      help: 'Failed schema registry calls, by operation.',
      labelNames: ['operation'] as const,
      registers: [registry],
    }),
    ordersByStatus: new Gauge({
      name: 'orderflow_orders',
      help: 'Orders persisted by the order service, by current status.',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'orderflow_webhook_deliveries_total',
      help: 'Webhook POSTs of the notification service, by outcome: delivered (2xx), failed (to be retried with backoff), gave_up (refused for good, or out of attempts).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookRequestDuration: new Histogram({
      name: 'orderflow_webhook_request_duration_seconds',
      help: 'Duration of one webhook POST of the notification service, until its answer or its failure, by outcome.',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    webhookBacklog: new Gauge({
      name: 'orderflow_webhook_pending_notifications',
      help: 'Notifications whose webhook is not delivered yet and will be tried again (the notification service, when webhooks are on).',
      registers: [registry],
      async collect() {
        if (sampleWebhookBacklog) this.set(await sampleWebhookBacklog().catch(() => NaN));
      },
    }),
    revenue: new Gauge({
      name: 'orderflow_revenue',
      help: 'Sum of totalAmount of persisted, not cancelled orders, by currency (for display; the API answers exact sums).',
      labelNames: ['currency'] as const,
      registers: [registry],
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Times `operation` into the database latency histogram. */
export async function timeDbOperation<T>(metrics: Metrics, operation: string, run: () => Promise<T>): Promise<T> {
  const end = metrics.dbQueryDuration.startTimer({ operation });
  try {
    return await run();
  } finally {
    end();
  }
}
