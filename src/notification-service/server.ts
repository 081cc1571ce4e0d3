import type { Config } from '../config';
import { createLogger } from '../logger';
import { createDatabase, databaseConnection, migrateToLatest } from '../lib/db';
import { createHttpApp, databaseReadiness, kafkaReadiness, listen, registryReadiness, serveApiDocs } from '../lib/http';
import { createKafkaClient, kafkaConnection } from '../lib/kafka';
import { createMetrics, type Metrics } from '../lib/metrics';
import { TRANSIENT_RETRY, type RetryPolicy } from '../lib/retry';
import { startThroughTransientKafkaFailures, type ServiceDeps } from '../lib/service';
import { NOTIFICATION_DATABASE } from './database';
import { startAccessControl } from '../lib/access';
import { NOTIFICATION_ACCESS_POLICY } from './access-policy';
import { createNotificationConsumers } from './notification-consumers';
import { createNotificationRepository } from './notification-repository';
import { OPENAPI_DOCUMENT } from './openapi';
import { notificationRoutes } from './routes';
import { createWebhookDispatcher, type WebhookDispatcher } from './webhook-dispatcher';
import { createWebhookQueue } from './webhook-queue';
import { createWebhookSender } from './webhook-sender';

/** How often the webhook dispatcher looks for due notifications without being woken. */
const WEBHOOK_POLL_INTERVAL_MS = 5_000;

/**
 * Connections: one per partition processed concurrently on each of the two topics (4), the
 * webhook dispatcher's round (its transaction holds one while it POSTs, at most
 * WEBHOOK_TIMEOUT_MS), and the API's reads and the backlog gauge.
 */
export const NOTIFICATION_DB_POOL_MAX = 8;

export interface NotificationServiceDeps extends ServiceDeps {  /** Backoff between webhook attempts of one notification, and how many there are (tests shorten them). */
  webhookRetry?: RetryPolicy;
  webhookMaxAttempts?: number;
}

export interface RunningNotificationService {
  port: number;
  metrics: Metrics;
  /** Finishes the batches and the webhook round in hand, commits, leaves the groups, closes HTTP and what the service opened. */
  stop(): Promise<void>;
}

/**
 * Starts the notification service: two consumer group members, on ORDER_EVENTS_TOPIC and
 * INVENTORY_EVENTS_TOPIC, that store a notification per meaningful event in its own schema; the
 * webhook dispatcher when WEBHOOK_URL is set; the notifications API on NOTIFICATION_SERVICE_PORT.
 */
export async function startNotificationService(config: Config, deps: NotificationServiceDeps = {}): Promise<RunningNotificationService> {
  const logger = deps.logger ?? createLogger(config.LOG_LEVEL, 'notification-service');
  const knex =
    deps.knex ??
    createDatabase({ ...databaseConnection(config), database: NOTIFICATION_DATABASE, schema: config.NOTIFICATION_DB_SCHEMA, poolMax: NOTIFICATION_DB_POOL_MAX, applicationName: 'orderflow-notification-service', logger });
  if (!deps.knex) await migrateToLatest(knex, NOTIFICATION_DATABASE, { schema: config.NOTIFICATION_DB_SCHEMA });

  const access = await startAccessControl(config, { knex, logger });
  const repository = createNotificationRepository({ knex });
  const queue = createWebhookQueue({ knex });
  // The config refuses a URL without a secret; both are checked here again only to narrow their types.
  const webhook = config.WEBHOOK_URL !== undefined && config.WEBHOOK_SECRET !== undefined ? { url: config.WEBHOOK_URL, secret: config.WEBHOOK_SECRET } : undefined;
  const metrics = createMetrics('notification-service', webhook ? { sampleWebhookBacklog: () => queue.backlog() } : {});
  const dispatcher: WebhookDispatcher | undefined =
    webhook &&
    createWebhookDispatcher({
      queue,
      sender: createWebhookSender({ ...webhook, timeoutMs: config.WEBHOOK_TIMEOUT_MS }),
      metrics,
      logger: logger.child({ component: 'webhooks' }),
      pollIntervalMs: WEBHOOK_POLL_INTERVAL_MS,
      ...(deps.webhookRetry ? { retry: deps.webhookRetry } : {}),
      ...(deps.webhookMaxAttempts !== undefined ? { maxAttempts: deps.webhookMaxAttempts } : {}),
    });

  const kafka = createKafkaClient({ ...kafkaConnection(config), clientId: 'orderflow-notification-service', overrides: deps.kafkaOverrides ?? {}, logger });
  const admin = kafka.admin();
  const consumers = createNotificationConsumers({
    config,
    kafka,
    admin,
    repository,
    webhooks: dispatcher !== undefined,
    onStored: () => dispatcher?.wake(),
    retry: deps.retry ?? TRANSIENT_RETRY,
    metrics,
    logger,
  });

  const app = createHttpApp({
    metrics,
    logger,
    bodyLimit: config.HTTP_BODY_LIMIT,
    readiness: [kafkaReadiness(admin), registryReadiness(config.SCHEMA_REGISTRY_URL), databaseReadiness(knex)],
    readinessFacts: () => ({ auth: access.mode() }),
    guard: access.guard(NOTIFICATION_ACCESS_POLICY),
    routes(routesApp) {
      routesApp.use('/api', notificationRoutes({ repository }));
      serveApiDocs(routesApp, OPENAPI_DOCUMENT);
    },
  });
  const server = await listen(app, deps.port ?? config.NOTIFICATION_SERVICE_PORT);

  const stopAll = async (): Promise<void> => {
    access.stop();
    await dispatcher?.stop();
    for (const consumer of consumers) await consumer.stop().catch((error: unknown) => logger.warn({ err: error }, 'a consumer did not stop cleanly'));
    await server.close();
    await admin.disconnect().catch(() => undefined);
    if (!deps.knex) await knex.destroy();
  };
  try {
    await startThroughTransientKafkaFailures(
      [{ what: 'connecting the Kafka admin', run: () => admin.connect() }, ...consumers.map((consumer, index) => ({ what: `starting consumer ${index + 1} of ${consumers.length}`, run: () => consumer.start() }))],
      { logger, deps },
    );
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
  dispatcher?.start();
  logger.info(
    { port: server.port, topics: [config.ORDER_EVENTS_TOPIC, config.INVENTORY_EVENTS_TOPIC], groupId: config.NOTIFICATION_CONSUMER_GROUP_ID, webhooks: dispatcher !== undefined },
    'notification service consuming',
  );

  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    metrics,
    stop() {
      stopping ??= stopAll().then(() => logger.info('notification service stopped'));
      return stopping;
    },
  };
}
