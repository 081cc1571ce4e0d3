import type { Express } from 'express';
import type { Config } from '../config';
import { createLogger } from '../logger';
import { createDatabase, databaseConnection, migrateToLatest, PRE_SPLIT_SCHEMA } from '../lib/db';
import { ORDER_DATABASE } from './database';
import { startAccessControl, type AccessControl } from '../lib/access';
import { ORDER_ACCESS_POLICY } from './access-policy';
import { createHttpApp, databaseReadiness, kafkaReadiness, listen, registryReadiness, serveApiDocs } from '../lib/http';
import { everyInterval } from '../lib/consumer';
import { createKafkaClient, kafkaConnection } from '../lib/kafka';
import { createMetrics, type Metrics } from '../lib/metrics';
import { createInventoryEventSerde, createOrderEventSerde, createRegistryClient, type DecodedStreamEvent, type EventStream } from '../lib/registry';
import type { EventDecoder } from '../lib/consumer';
import { createOrderStockStore } from './order-stock-store';
import { createStockConsumer } from './stock-consumer';
import { TRANSIENT_RETRY } from '../lib/retry';
import { registerInBackground, startThroughTransientKafkaFailures, type ServiceDeps } from '../lib/service';
import { consoleRoutes } from './console-routes';
import { createOrderConsumer } from './consumer';
import { createDeadLetterIndex } from './dead-letter-index';
import { createDeadLetterReplayer } from './dead-letter-replay';
import { deadLetterRoutes } from './dead-letter-routes';
import { createDeadLetterStore } from './dead-letter-store';
import { OPENAPI_DOCUMENT } from './openapi';
import { operationsRoutes } from './operations-routes';
import { createOrderAnalytics } from './order-analytics';
import { createOrderRepository } from './order-repository';
import { createOrderTimeline } from './order-timeline';
import { createOrderRetention } from './order-retention';
import { createOrderRetentionStore } from './order-retention-store';
import { orderRoutes } from './routes';
import { seed000OrderRoutes } from './seed-000-dialect';
import { seed001OrderRoutes } from './seed-001-dialect';

/** How often the dedup window is enforced, at most (a quarter of the window when that is shorter). */
const RETENTION_INTERVAL_MS = 3_600_000;

/**
 * Connections: one per partition processed concurrently by each of its two consumers (the order
 * events and the inventory events: 3 transactions at most each), the gauges' query, the
 * dead-letter index's inserts (one at a time), and the query API's reads and replay claims (each
 * a single short statement). With the other services' pools this leaves PostgreSQL's default
 * limit (100, 3 of them reserved) room for several instances (see the connection-budget test).
 */
export const ORDER_DB_POOL_MAX = 13;

export interface OrderServiceDeps extends ServiceDeps {
  /** Most events applied in one database transaction (1: a transaction per event). */
  maxEventsPerTransaction?: number;
  /** How often lag and order gauges refresh; 0 turns it off. */
  gaugeIntervalMs?: number;
  /** Skip the HTTP API (the benchmark only needs the consumer). */
  withoutHttp?: boolean;
}

export interface RunningOrderService {
  /** Bound HTTP port (0 without HTTP). */
  port: number;
  metrics: Metrics;
  /** Finishes the batch in hand, commits, leaves the group, closes HTTP and what the service opened. */
  stop(): Promise<void>;
}

/**
 * Starts the order service: registers the event schemas (in the background while the registry
 * is down), a consumer group member on ORDER_EVENTS_TOPIC that persists to PostgreSQL, and the
 * query API on ORDER_SERVICE_PORT. Everything is built here from
 * `config` and `deps`, so one process can run several instances (as the tests do).
 */
export async function startOrderService(config: Config, deps: OrderServiceDeps = {}): Promise<RunningOrderService> {
  const logger = deps.logger ?? createLogger(config.LOG_LEVEL, 'order-service');
  const metrics = createMetrics('order-service');
  const knex = deps.knex ?? createDatabase({ ...databaseConnection(config), database: ORDER_DATABASE, schema: config.ORDER_DB_SCHEMA, poolMax: ORDER_DB_POOL_MAX, applicationName: 'orderflow-order-service', logger });
  if (!deps.knex) await migrateToLatest(knex, ORDER_DATABASE, { schema: config.ORDER_DB_SCHEMA, adoptFrom: PRE_SPLIT_SCHEMA });

  const kafka = createKafkaClient({ ...kafkaConnection(config), clientId: 'orderflow-order-service', overrides: deps.kafkaOverrides ?? {}, logger });
  const admin = kafka.admin();
  const repository = createOrderRepository({ knex });
  const serde = createOrderEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.ORDER_EVENTS_TOPIC });
  const inventorySerde = createInventoryEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.INVENTORY_EVENTS_TOPIC });
  const consumer = createOrderConsumer({
    kafka,
    admin,
    topic: config.ORDER_EVENTS_TOPIC,
    deadLetterTopic: config.DEAD_LETTER_TOPIC,
    groupId: config.CONSUMER_GROUP_ID,
    fetchMaxWaitMs: config.CONSUMER_FETCH_MAX_WAIT_MS,
    repository,
    decoder: serde,
    metrics,
    logger,
    ...(deps.maxEventsPerTransaction !== undefined ? { maxEventsPerTransaction: deps.maxEventsPerTransaction } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.gaugeIntervalMs !== undefined ? { gaugeIntervalMs: deps.gaugeIntervalMs } : {}),
  });

  // Each order's stock state comes with the HTTP API that shows it (the benchmark runs without both).
  const stockConsumer = deps.withoutHttp
    ? undefined
    : createStockConsumer({
        kafka,
        admin,
        topic: config.INVENTORY_EVENTS_TOPIC,
        deadLetterTopic: config.DEAD_LETTER_TOPIC,
        groupId: config.CONSUMER_GROUP_ID,
        store: createOrderStockStore({ knex }),
        decoder: inventorySerde,
        metrics,
        logger,
        retry: deps.retry ?? TRANSIENT_RETRY,
        fetchMaxWaitMs: config.CONSUMER_FETCH_MAX_WAIT_MS,
      });

  // The dead-letter API and the index behind it come with the HTTP API.
  const deadLetterStore = createDeadLetterStore(knex);
  const deadLetterIndex = deps.withoutHttp
    ? undefined
    : createDeadLetterIndex({ kafka, deadLetterTopic: config.DEAD_LETTER_TOPIC, groupId: config.CONSUMER_GROUP_ID, store: deadLetterStore, logger, retry: deps.retry ?? TRANSIENT_RETRY });
  const replayer = createDeadLetterReplayer({ kafka, sourceTopics: [config.ORDER_EVENTS_TOPIC, config.INVENTORY_EVENTS_TOPIC], store: deadLetterStore, logger });

  let server: { port: number; close(): Promise<void> } | undefined;
  let access: AccessControl | undefined;
  if (!deps.withoutHttp) {
    const control = await startAccessControl(config, { knex, logger });
    access = control;
    const app = createHttpApp({
      metrics,
      logger,
      bodyLimit: config.HTTP_BODY_LIMIT,
      readiness: [kafkaReadiness(admin), registryReadiness(config.SCHEMA_REGISTRY_URL), databaseReadiness(knex)],
      readinessFacts: () => ({ auth: control.mode() }),
      guard: control.guard(ORDER_ACCESS_POLICY),
      routes(routesApp: Express) {
        routesApp.use('/api', orderRoutes({ repository, timeline: createOrderTimeline(knex, { orderTopic: config.ORDER_EVENTS_TOPIC, inventoryTopic: config.INVENTORY_EVENTS_TOPIC }), analytics: createOrderAnalytics(knex) }));
        routesApp.use('/api', deadLetterRoutes({ store: deadLetterStore, replayer, decoders: new Map<string, EventDecoder<DecodedStreamEvent<EventStream>>>([[config.ORDER_EVENTS_TOPIC, serde], [config.INVENTORY_EVENTS_TOPIC, inventorySerde]]) }));
        routesApp.use(
          '/api',
          operationsRoutes({ registry: createRegistryClient({ baseUrl: config.SCHEMA_REGISTRY_URL }), admin, topic: config.ORDER_EVENTS_TOPIC, groupId: config.CONSUMER_GROUP_ID }),
        );
        routesApp.use(consoleRoutes());
        routesApp.use(seed001OrderRoutes(repository));
        routesApp.use(seed000OrderRoutes(repository));
        serveApiDocs(routesApp, OPENAPI_DOCUMENT);
      },
    });
    server = await listen(app, deps.port ?? config.ORDER_SERVICE_PORT);
  }

  const registration = registerInBackground(() => serde.registerSchemas(), { logger, metrics, ...(deps.retry ? { retry: deps.retry } : {}) });
  await registration.firstAttempt;

  try {
    await startThroughTransientKafkaFailures(
      [
        { what: 'connecting the Kafka admin', run: () => admin.connect() },
        { what: 'starting the order events consumer', run: () => consumer.start() },
        ...(stockConsumer ? [{ what: 'starting the inventory events consumer', run: () => stockConsumer.start() }] : []),
        ...(deadLetterIndex ? [{ what: 'starting the dead-letter index', run: () => deadLetterIndex.start() }] : []),
      ],
      { logger, deps },
    );
  } catch (error) {
    // A service that did not start leaves nothing running: the background registration ends too.
    registration.stop();
    access?.stop();
    await deadLetterIndex?.stop().catch(() => undefined);
    await stockConsumer?.stop().catch(() => undefined);
    await consumer.stop().catch(() => undefined);
    await replayer.stop();
    await server?.close();
    await admin.disconnect().catch(() => undefined);
    if (!deps.knex) await knex.destroy();
    throw error;
  }
  const enforceRetention = createOrderRetention({
    store: createOrderRetentionStore({ knex }),
    deadLetters: deadLetterStore,
    windowSeconds: config.DEDUP_WINDOW,
    deadLetterRetentionSeconds: config.DEAD_LETTER_RETENTION,
    metrics,
    logger,
  });
  const stopRetention = everyInterval(Math.min(RETENTION_INTERVAL_MS, (config.DEDUP_WINDOW * 1000) / 4), async () => void (await enforceRetention()));
  logger.info({ port: server?.port, topic: config.ORDER_EVENTS_TOPIC, groupId: config.CONSUMER_GROUP_ID }, 'order service consuming');

  let stopping: Promise<void> | undefined;
  return {
    port: server?.port ?? 0,
    metrics,
    stop() {
      stopping ??= (async () => {
        registration.stop();
        access?.stop();
        await stopRetention();
        await consumer.stop();
        await stockConsumer?.stop();
        await deadLetterIndex?.stop();
        await server?.close();
        await replayer.stop();
        await admin.disconnect().catch(() => undefined);
        if (!deps.knex) await knex.destroy();
        logger.info('order service stopped');
      })();
      return stopping;
    },
  };
}
