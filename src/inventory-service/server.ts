import type { Config } from '../config';
import { createLogger } from '../logger';
import { CONSUMER_LAG_INTERVAL_MS, createEventConsumer } from '../lib/consumer';
import { createDatabase, databaseConnection, migrateToLatest, PRE_SPLIT_SCHEMA } from '../lib/db';
import { createHttpApp, databaseReadiness, kafkaReadiness, listen, registryReadiness, serveApiDocs } from '../lib/http';
import { createKafkaClient, ensureTopics, kafkaConnection } from '../lib/kafka';
import { createMetrics, type Metrics } from '../lib/metrics';
import { createOrderRecordDecoder } from '../lib/order-events';
import { createInventoryEventSerde, createOrderEventSerde } from '../lib/registry';
import { TRANSIENT_RETRY } from '../lib/retry';
import { registerInBackground, startThroughTransientKafkaFailures, type ServiceDeps } from '../lib/service';
import { createAnswerPublisher } from './answer-publisher';
import { INVENTORY_DATABASE } from './database';
import { startAccessControl } from '../lib/access';
import { INVENTORY_ACCESS_POLICY } from './access-policy';
import { createInventoryBatchApplier } from './inventory-batch-applier';
import { createInventoryRepository } from './inventory-repository';
import { OPENAPI_DOCUMENT } from './openapi';
import { inventoryRoutes } from './routes';

/** Connections: one per partition processed concurrently (3), and the stock API's short statements. */
export const INVENTORY_DB_POOL_MAX = 6;

export type InventoryServiceDeps = ServiceDeps;

export interface RunningInventoryService {
  port: number;
  metrics: Metrics;
  /** Finishes the batch in hand (its answers sent), commits, leaves the group, closes HTTP and what the service opened. */
  stop(): Promise<void>;
}

/**
 * Starts the inventory service: a consumer group member on ORDER_EVENTS_TOPIC that reserves,
 * releases and commits stock in its own schema and answers on INVENTORY_EVENTS_TOPIC, and the
 * stock API on INVENTORY_SERVICE_PORT.
 */
export async function startInventoryService(config: Config, deps: InventoryServiceDeps = {}): Promise<RunningInventoryService> {
  const logger = deps.logger ?? createLogger(config.LOG_LEVEL, 'inventory-service');
  const metrics = createMetrics('inventory-service');
  const knex =
    deps.knex ??
    createDatabase({ ...databaseConnection(config), database: INVENTORY_DATABASE, schema: config.INVENTORY_DB_SCHEMA, poolMax: INVENTORY_DB_POOL_MAX, applicationName: 'orderflow-inventory-service', logger });
  if (!deps.knex) await migrateToLatest(knex, INVENTORY_DATABASE, { schema: config.INVENTORY_DB_SCHEMA, adoptFrom: PRE_SPLIT_SCHEMA });

  const access = await startAccessControl(config, { knex, logger });
  const kafka = createKafkaClient({ ...kafkaConnection(config), clientId: 'orderflow-inventory-service', overrides: deps.kafkaOverrides ?? {}, logger });
  const admin = kafka.admin();
  const repository = createInventoryRepository({ knex });
  const orderEvents = createOrderEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.ORDER_EVENTS_TOPIC });
  const inventoryEvents = createInventoryEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.INVENTORY_EVENTS_TOPIC });
  const answers = createAnswerPublisher({ kafka, topic: config.INVENTORY_EVENTS_TOPIC, serde: inventoryEvents, metrics });
  const decodeRecords = createOrderRecordDecoder({ decoder: orderEvents, topic: config.ORDER_EVENTS_TOPIC, metrics });
  const consumerLogger = logger.child({ component: 'consumer' });
  const consumer = createEventConsumer({
    kafka,
    admin,
    topic: config.ORDER_EVENTS_TOPIC,
    deadLetterTopic: config.INVENTORY_DEAD_LETTER_TOPIC,
    groupId: config.INVENTORY_CONSUMER_GROUP_ID,
    metrics,
    logger,
    applier: (deadLetters) => createInventoryBatchApplier({ repository, decodeRecords, deadLetters, answers, metrics, logger: consumerLogger }),
    retry: deps.retry ?? TRANSIENT_RETRY,
    partitionsConsumedConcurrently: 3,
    fetchMaxWaitMs: config.CONSUMER_FETCH_MAX_WAIT_MS,
    maxRecordsPerTransaction: 1_000,
    lagIntervalMs: CONSUMER_LAG_INTERVAL_MS,
  });

  const app = createHttpApp({
    metrics,
    logger,
    bodyLimit: config.HTTP_BODY_LIMIT,
    readiness: [kafkaReadiness(admin), registryReadiness(config.SCHEMA_REGISTRY_URL), databaseReadiness(knex)],
    readinessFacts: () => ({ auth: access.mode() }),
    guard: access.guard(INVENTORY_ACCESS_POLICY),
    routes(routesApp) {
      routesApp.use('/api', inventoryRoutes({ repository }));
      serveApiDocs(routesApp, OPENAPI_DOCUMENT);
    },
  });
  const server = await listen(app, deps.port ?? config.INVENTORY_SERVICE_PORT);

  // It writes the inventory events, so it registers their schemas (the order events' are the cart's).
  const registration = registerInBackground(() => inventoryEvents.registerSchemas(), { logger, metrics, ...(deps.retry ? { retry: deps.retry } : {}) });
  await registration.firstAttempt;

  try {
    await startThroughTransientKafkaFailures(
      [
        { what: 'connecting the Kafka admin', run: () => admin.connect() },
        { what: 'creating the inventory events topic', run: () => ensureTopics(admin, [config.INVENTORY_EVENTS_TOPIC]) },
        { what: 'starting the order events consumer', run: () => consumer.start() },
      ],
      { logger, deps },
    );
  } catch (error) {
    registration.stop();
    access.stop();
    await consumer.stop().catch(() => undefined);
    await answers.stop().catch(() => undefined);
    await server.close();
    await admin.disconnect().catch(() => undefined);
    if (!deps.knex) await knex.destroy();
    throw error;
  }
  logger.info({ port: server.port, topic: config.ORDER_EVENTS_TOPIC, answersTo: config.INVENTORY_EVENTS_TOPIC, groupId: config.INVENTORY_CONSUMER_GROUP_ID }, 'inventory service consuming');

  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    metrics,
    stop() {
      stopping ??= (async () => {
        registration.stop();
        access.stop();
        await consumer.stop();
        await answers.stop();
        await server.close();
        await admin.disconnect().catch(() => undefined);
        if (!deps.knex) await knex.destroy();
        logger.info('inventory service stopped');
      })();
      return stopping;
    },
  };
}
