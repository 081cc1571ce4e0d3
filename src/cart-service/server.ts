import type { Express, Response } from 'express';
import type { Config } from '../config';
import { createLogger, type Logger } from '../logger';
import { createDatabase, databaseConnection, migrateToLatest, PRE_SPLIT_SCHEMA, type Knex } from '../lib/db';
import { CART_DATABASE } from './database';
import { startAccessControl } from '../lib/access';
import { CART_ACCESS_POLICY } from './access-policy';
import { createHttpApp, databaseReadiness, kafkaReadiness, listen, registryReadiness, serveApiDocs } from '../lib/http';
import { createKafkaClient, kafkaConnection } from '../lib/kafka';
import { createMetrics, type Metrics } from '../lib/metrics';
import { createCartOrderRepository } from './cart-order-repository';
import { createOrderUseCase } from './create-order.use-case';
import { createIdempotencyStore } from './idempotency';
import { OPENAPI_DOCUMENT } from './openapi';
import { createOrderEventEncoder } from './order-event-encoder';
import { createOrderWriteBatcher } from './order-write-batcher';
import { createOutboxRelay, createOutboxStore, createPublicationTracker, outboxDepth } from './outbox';
import { mountCartRoutes } from './routes';
import { mountSeed001CartRoutes } from './seed-001-dialect';
import { updateOrderUseCase } from './update-order.use-case';
import { createWriteAndAnswer } from './write-and-answer';

/**
 * Pooled database connections: a request holds one only for its group commit (never across
 * Kafka), so a few serve any concurrency. The relay holds one more connection of its own.
 */
export const CART_DB_POOL_MAX = 10;

/** How often keys older than IDEMPOTENCY_TTL are deleted. */
const PRUNE_INTERVAL_MS = 60_000;

/** Kafka client settings that notice an outage within seconds (kafkajs defaults retry for about a minute). */
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
  /** Whether this instance publishes the outbox (leader) or stands by. */
  relayRole(): string;
  /** Requests of this instance waiting for Kafka's acknowledgement of their event right now. */
  awaitingPublication(): number;
  /** Stops accepting connections, finishes in-flight requests, stops the relay, closes what the service opened. */
  stop(): Promise<void>;
}

/**
 * Starts the cart service on `config.CART_SERVICE_PORT` (or `deps.port`). Writes commit the
 * order and its event to PostgreSQL (the outbox); the relay publishes them to Kafka. When Kafka
 * or the registry is down the service still starts, answers 503 and recovers by itself.
 */
export async function startCartService(config: Config, deps: CartServiceDeps = {}): Promise<RunningCartService> {
  const logger = deps.logger ?? createLogger(config.LOG_LEVEL, 'cart-service');
  const knex = deps.knex ?? createDatabase({ ...databaseConnection(config), database: CART_DATABASE, schema: config.CART_DB_SCHEMA, poolMax: CART_DB_POOL_MAX, applicationName: 'orderflow-cart-service', logger });
  if (!deps.knex) await migrateToLatest(knex, CART_DATABASE, { schema: config.CART_DB_SCHEMA, adoptFrom: PRE_SPLIT_SCHEMA });
  const access = await startAccessControl(config, { knex, logger });
  const metrics = createMetrics('cart-service', { sampleOutbox: () => outboxDepth(knex) });
  const kafka = createKafkaClient({ ...kafkaConnection(config), clientId: 'orderflow-cart-service', overrides: FAST_FAILING_KAFKA, logger });

  const encoder = createOrderEventEncoder({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.ORDER_EVENTS_TOPIC, metrics });
  await encoder.start().catch((error: unknown) => {
    logger.warn({ err: error }, 'the schema registry is not available yet; writes answer 503 until it is');
  });

  const tracker = createPublicationTracker();
  const outbox = createOutboxStore({ knex, metrics });
  const relay = createOutboxRelay({
    knex,
    kafka,
    topic: config.ORDER_EVENTS_TOPIC,
    tracker,
    metrics,
    logger,
    maxBatch: config.PRODUCER_MAX_BATCH,
    maxBatchBytes: config.PRODUCER_MAX_BATCH_BYTES,
    sendTimeoutMs: FAST_FAILING_KAFKA.requestTimeout,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    takeoverIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    failoverGraceMs: config.KAFKA_FAILOVER_GRACE_MS,
  });
  await relay.start();

  const idempotency = createIdempotencyStore({ metrics, ttlSeconds: config.IDEMPOTENCY_TTL });
  const batcher = createOrderWriteBatcher({
    knex,
    orders: createCartOrderRepository({ knex, metrics }),
    outbox,
    idempotency,
    encoder,
    tracker,
    batching: config.GROUP_COMMIT,
    maxBatch: config.PRODUCER_MAX_BATCH,
    maxBatchBytes: config.PRODUCER_MAX_BATCH_BYTES,
  });
  const writes = createWriteAndAnswer({
    knex,
    writes: batcher,
    idempotency,
    tracker,
    outbox,
    kafkaDownReason: () => relay.kafkaDownReason(),
    publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
  });
  const orders = createCartOrderRepository({ knex, metrics });
  const pruning = setInterval(() => {
    idempotency.prune(knex).then(
      (pruned) => pruned > 0 && logger.info({ pruned }, 'forgot expired Idempotency-Keys'),
      (error: unknown) => logger.warn({ err: error }, 'could not prune expired Idempotency-Keys'),
    );
  }, PRUNE_INTERVAL_MS);
  pruning.unref();

  // Responses being worked on; at stop they are told to close their connection, so a keep-alive
  // client does not hold the server open after its last answer.
  const answering = new Set<Response>();
  const admin = kafka.admin();
  const app = createHttpApp({
    metrics,
    logger,
    bodyLimit: config.HTTP_BODY_LIMIT,
    readiness: [kafkaReadiness(admin), registryReadiness(config.SCHEMA_REGISTRY_URL), databaseReadiness(knex)],
    readinessFacts: () => ({ relay: relay.role(), auth: access.mode() }),
    guard: access.guard(CART_ACCESS_POLICY),
    routes(routesApp: Express) {
      routesApp.use((_req, res, next) => {
        answering.add(res);
        res.on('close', () => answering.delete(res));
        next();
      });
      const useCases = { createOrder: createOrderUseCase({ encoder, writes, logger }), updateOrder: updateOrderUseCase({ encoder, writes, logger }) };
      mountCartRoutes(routesApp, { ...useCases, findOrder: (orderId) => orders.find(orderId) });
      mountSeed001CartRoutes(routesApp, useCases);
      serveApiDocs(routesApp, OPENAPI_DOCUMENT);
    },
  });

  const server = await listen(app, deps.port ?? config.CART_SERVICE_PORT);
  logger.info({ port: server.port, topic: config.ORDER_EVENTS_TOPIC, relay: relay.role() }, 'cart service listening');

  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    metrics,
    relayRole: relay.role,
    awaitingPublication: () => tracker.waiting,
    stop() {
      stopping ??= (async () => {
        clearInterval(pruning);
        access.stop();
        const closed = server.close();
        for (const res of answering) if (!res.headersSent) res.setHeader('Connection', 'close');
        await closed;
        await batcher.flush();
        await relay.stop();
        await admin.disconnect();
        if (!deps.knex) await knex.destroy();
        logger.info('cart service stopped');
      })();
      return stopping;
    },
  };
}
