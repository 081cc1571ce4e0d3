import type { Express, Response } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { Config } from '../config';
import { createLogger, type Logger } from '../logger';
import { createDatabase, migrateToLatest, type Knex } from '../lib/db';
import { createHttpApp, databaseReadiness, kafkaReadiness, listen, registryReadiness } from '../lib/http';
import { createKafkaClient } from '../lib/kafka';
import { createMetrics, type Metrics } from '../lib/metrics';
import { createCartOrderRepository } from './cart-order-repository';
import { createOrderUseCase } from './create-order.use-case';
import { createOrderCreationBatcher } from './order-creation-batcher';
import { OPENAPI_DOCUMENT } from './openapi';
import { createOrderEventPublisher } from './order-event-publisher';
import { mountCartRoutes } from './routes';
import { updateOrderUseCase } from './update-order.use-case';

/**
 * Database connections the service may hold: each in-flight create or update holds one
 * while it waits for Kafka's acknowledgement, so this bounds the concurrency it serves.
 */
export const CART_DB_POOL_MAX = 80;

/** Kafka client settings that turn an outage into a 503 within seconds (kafkajs defaults retry for about a minute). */
const FAST_FAILING_KAFKA = {
  connectionTimeout: 1_000,
  requestTimeout: 5_000,
  retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
} as const;

export interface CartServiceDeps {
  /** A database to use instead of one built from DATABASE_URL (tests pass their own schema); the caller migrates and closes it. */
  knex?: Knex;
  logger?: Logger;
  /** Port to listen on instead of CART_SERVICE_PORT; 0 = any free port (tests, the bench). */
  port?: number;
}

export interface RunningCartService {
  port: number;
  metrics: Metrics;
  /** Stops accepting connections, finishes in-flight requests, flushes the producer, closes what the service opened. */
  stop(): Promise<void>;
}

/**
 * Starts the cart service on `config.CART_SERVICE_PORT` (or `deps.port`). Connecting to
 * Kafka, creating the topic and registering the schemas are tried at start-up; when a
 * dependency is down the service still starts, answers 503 and retries on the next request.
 */
export async function startCartService(config: Config, deps: CartServiceDeps = {}): Promise<RunningCartService> {
  const logger = deps.logger ?? createLogger(config.LOG_LEVEL, 'cart-service');
  const metrics = createMetrics('cart-service');
  const knex = deps.knex ?? createDatabase({ url: config.DATABASE_URL, poolMax: CART_DB_POOL_MAX });
  if (!deps.knex) await migrateToLatest(knex);

  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'orderflow-cart-service', overrides: FAST_FAILING_KAFKA });
  const publisher = createOrderEventPublisher({
    kafka,
    registryUrl: config.SCHEMA_REGISTRY_URL,
    topic: config.ORDER_EVENTS_TOPIC,
    batching: config.PRODUCER_BATCHING,
    maxBatch: config.PRODUCER_MAX_BATCH,
    maxBatchBytes: config.PRODUCER_MAX_BATCH_BYTES,
    metrics,
    logger,
  });
  await publisher.start().catch((error: unknown) => {
    logger.warn({ err: error }, 'Kafka or the schema registry is not available yet; requests answer 503 until it is');
  });

  const repository = createCartOrderRepository({ knex, metrics });
  const creations = createOrderCreationBatcher({
    repository,
    publisher,
    batching: config.PRODUCER_BATCHING,
    maxBatch: config.PRODUCER_MAX_BATCH,
    maxBatchBytes: config.PRODUCER_MAX_BATCH_BYTES,
  });
  // Responses being worked on; at stop they are told to close their connection, so a keep-alive
  // client does not hold the server open after its last answer.
  const answering = new Set<Response>();
  const admin = kafka.admin();
  const app = createHttpApp({
    metrics,
    logger,
    bodyLimit: config.HTTP_BODY_LIMIT,
    readiness: [kafkaReadiness(admin), registryReadiness(config.SCHEMA_REGISTRY_URL), databaseReadiness(knex)],
    routes(routesApp: Express) {
      routesApp.use((_req, res, next) => {
        answering.add(res);
        res.on('close', () => answering.delete(res));
        next();
      });
      mountCartRoutes(routesApp, {
        createOrder: createOrderUseCase({ publisher, creations, logger }),
        updateOrder: updateOrderUseCase({ repository, publisher, logger }),
      });
      routesApp.get('/docs/openapi.json', (_req, res) => {
        res.json(OPENAPI_DOCUMENT);
      });
      routesApp.use('/docs', swaggerUi.serve, swaggerUi.setup(OPENAPI_DOCUMENT as unknown as swaggerUi.JsonObject));
    },
  });

  const server = await listen(app, deps.port ?? config.CART_SERVICE_PORT);
  logger.info({ port: server.port, topic: config.ORDER_EVENTS_TOPIC }, 'cart service listening');

  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    metrics,
    stop() {
      stopping ??= (async () => {
        const closed = server.close();
        for (const res of answering) if (!res.headersSent) res.setHeader('Connection', 'close');
        await closed;
        await creations.flush();
        await publisher.stop();
        await admin.disconnect();
        if (!deps.knex) await knex.destroy();
        logger.info('cart service stopped');
      })();
      return stopping;
    },
  };
}
