import { randomUUID } from 'node:crypto';
import type { Kafka, Message } from 'kafkajs';
import type { Order, OrderStatus } from '../domain';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { createMicroBatcher } from '../lib/batching';
import { createTransactionalSender, ensureTopics } from '../lib/kafka';
import type { Metrics } from '../lib/metrics';
import { createOrderEventSerde, EVENT_ID_HEADER, EVENT_TYPE_HEADER, type OrderEvent } from '../lib/registry';

/** How long Kafka may take to acknowledge a send before the request answers 503. */
const PRODUCE_TIMEOUT_MS = 5_000;

export interface OrderEventPublisherOptions {
  kafka: Kafka;
  registryUrl: string;
  topic: string;
  batching: boolean;
  maxBatch: number;
  maxBatchBytes: number;
  metrics: Metrics;
  logger: Logger;
}

/** What a publish tells the caller: the id of the event now acknowledged by Kafka. */
export interface Published {
  eventId: string;
}

/** An event encoded and ready for Kafka, not yet sent. */
export interface OutgoingEvent {
  orderId: string;
  eventId: string;
  eventType: OrderEvent['type'];
  message: Message;
}

/**
 * Publishes order events: Avro in Confluent wire format through the shared serde, key =
 * order id, headers with event type and event id, through an idempotent, transactional
 * producer with acks=all and micro-batching (one transaction per batch). A publish resolves
 * only when Kafka committed the event; when Kafka or the registry is unavailable it rejects
 * with DEPENDENCY_UNAVAILABLE and the event is not visible to consumers.
 *
 * Start-up work (connect, create the topic, register the schemas) is retried on the next
 * publish when it fails, so a service started during an outage recovers by itself.
 */
export function createOrderEventPublisher({ kafka, registryUrl, topic, batching, maxBatch, maxBatchBytes, metrics, logger }: OrderEventPublisherOptions) {
  const serde = createOrderEventSerde({ registryUrl, topic });
  const sender = createTransactionalSender({ kafka, topic, transactionalIdPrefix: 'orderflow-cart-service', timeoutMs: PRODUCE_TIMEOUT_MS });
  let ready: Promise<void> | undefined;

  /** One Kafka transaction carrying every event of `batch`; resolves when all are committed, rejects when none will be visible. */
  async function sendInOneCall(batch: OutgoingEvent[]): Promise<void> {
    metrics.produceBatchSize.observe(batch.length);
    try {
      await sender.send(batch.map((entry) => entry.message));
      batch.forEach((entry) => metrics.eventsProduced.inc({ event_type: entry.eventType, outcome: 'acknowledged' }));
    } catch (error) {
      batch.forEach((entry) => metrics.eventsProduced.inc({ event_type: entry.eventType, outcome: 'failed' }));
      logger.warn({ events: batch.length, err: error }, 'Kafka did not commit a produce transaction');
      throw unavailable('Kafka', error);
    }
  }

  // Status updates arriving while a transaction is in flight share the next one.
  const updates = createMicroBatcher<OutgoingEvent, void>({
    batching,
    maxBatch,
    weigh: encodedSize,
    maxWeight: maxBatchBytes,
    process: async (batch) => {
      await sendInOneCall(batch);
      return batch.map(() => ({ ok: true, value: undefined }));
    },
  });

  async function connectAndRegister(): Promise<void> {
    await sender.connect();
    const admin = kafka.admin();
    try {
      await admin.connect();
      if ((await ensureTopics(admin, [topic])).length > 0) logger.info({ topic }, 'created the order events topic');
    } finally {
      await admin.disconnect();
    }
    try {
      await serde.registerSchemas();
    } catch (error) {
      metrics.registryErrors.inc({ operation: 'register' });
      throw error;
    }
  }

  /** Single-flight: concurrent callers share one attempt; a failed attempt is forgotten. */
  function ensureReady(): Promise<void> {
    ready ??= connectAndRegister().catch((error: unknown) => {
      ready = undefined;
      throw unavailable('Kafka or the schema registry', error);
    });
    return ready;
  }

  /** Encodes `event` for Kafka (connecting and registering the schemas first when needed). */
  async function prepare(orderId: string, event: OrderEvent): Promise<OutgoingEvent> {
    await ensureReady();
    let value: Buffer;
    try {
      value = await serde.encode(event);
    } catch (error) {
      metrics.registryErrors.inc({ operation: 'encode' });
      throw error instanceof AppError ? error : unavailable('the schema registry', error);
    }
    const { eventId } = event.event;
    const headers = { [EVENT_TYPE_HEADER]: event.type, [EVENT_ID_HEADER]: eventId };
    return { orderId, eventId, eventType: event.type, message: { key: orderId, value, headers } };
  }

  async function publish(orderId: string, event: OrderEvent): Promise<Published> {
    const outgoing = await prepare(orderId, event);
    await updates.submit(outgoing);
    logger.debug({ orderId, eventId: outgoing.eventId, eventType: event.type }, 'event acknowledged by Kafka');
    return { eventId: outgoing.eventId };
  }

  return {
    /** Connects, creates the topic and registers the schemas; rejects (DEPENDENCY_UNAVAILABLE) when it cannot yet. */
    start: ensureReady,

    /** Encodes a new order's OrderCreated; the order creation batcher sends it with others in one call. */
    prepareOrderCreated(order: Order): Promise<OutgoingEvent> {
      return prepare(order.orderId, { type: 'OrderCreated', event: { eventId: randomUUID(), occurredAt: new Date(), order } });
    },

    /** Sends prepared events in one Kafka transaction; rejects with DEPENDENCY_UNAVAILABLE when Kafka does not commit it. */
    sendInOneCall,

    publishStatusUpdated(orderId: string, status: OrderStatus, previousStatus: OrderStatus): Promise<Published> {
      return publish(orderId, {
        type: 'OrderStatusUpdated',
        event: { eventId: randomUUID(), occurredAt: new Date(), orderId, status, previousStatus },
      });
    },

    /** Sends what waits, then disconnects. */
    async stop(): Promise<void> {
      await updates.flush();
      await sender.disconnect();
    },
  };
}

export type OrderEventPublisher = ReturnType<typeof createOrderEventPublisher>;

/** Bytes an event adds to a produce request: value, key and headers (record framing is small beside them). */
export function encodedSize({ message }: OutgoingEvent): number {
  const headers = Object.entries(message.headers ?? {}).reduce((sum, [name, value]) => sum + name.length + String(value).length, 0);
  return (message.value?.length ?? 0) + String(message.key ?? '').length + headers;
}

function unavailable(what: string, error: unknown): AppError {
  if (error instanceof AppError && error.code === 'DEPENDENCY_UNAVAILABLE') return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new AppError('DEPENDENCY_UNAVAILABLE', `${what} is unavailable: ${detail}`, { cause: error });
}
