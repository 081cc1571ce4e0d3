import { randomUUID } from 'node:crypto';
import type { Order, OrderStatus } from '../domain';
import { AppError } from '../errors';
import type { Metrics } from '../lib/metrics';
import { createOrderEventSerde, EVENT_ID_HEADER, EVENT_TYPE_HEADER, parseWireHeader, type OrderEvent } from '../lib/registry';
import type { OutboxEntry } from './outbox';

export interface OrderEventEncoderOptions {
  registryUrl: string;
  topic: string;
  metrics: Metrics;
}

/**
 * Turns order events into outbox entries: Avro in Confluent wire format through the shared
 * serde, key = order id, headers with event type and event id. Needs the registry only until
 * the schemas are registered (their ids are cached after); until then it rejects with
 * DEPENDENCY_UNAVAILABLE, before anything is written.
 */
export function createOrderEventEncoder({ registryUrl, topic, metrics }: OrderEventEncoderOptions) {
  const serde = createOrderEventSerde({ registryUrl, topic });

  async function register(): Promise<void> {
    try {
      await serde.registerSchemas();
    } catch (error) {
      metrics.registryErrors.inc({ operation: 'register' });
      throw error;
    }
  }

  async function encode(orderId: string, event: OrderEvent): Promise<OutboxEntry> {
    let value: Buffer;
    try {
      value = await serde.encode(event);
    } catch (error) {
      metrics.registryErrors.inc({ operation: 'encode' });
      if (error instanceof AppError) throw error;
      throw new AppError('DEPENDENCY_UNAVAILABLE', `the schema registry is unavailable: ${String(error)}`, { cause: error });
    }
    const { eventId } = event.event;
    return {
      eventId,
      eventType: event.type,
      orderId,
      topic,
      key: orderId,
      value,
      schemaId: parseWireHeader(value).schemaId,
      headers: { [EVENT_TYPE_HEADER]: event.type, [EVENT_ID_HEADER]: eventId },
    };
  }

  return {
    /** Registers the event schemas (idempotent); rejects with DEPENDENCY_UNAVAILABLE while the registry is down. */
    start: register,

    orderCreated(order: Order): Promise<OutboxEntry> {
      return encode(order.orderId, { type: 'OrderCreated', event: { eventId: randomUUID(), occurredAt: new Date(), order } });
    },

    statusUpdated(orderId: string, status: OrderStatus, previousStatus: OrderStatus): Promise<OutboxEntry> {
      return encode(orderId, { type: 'OrderStatusUpdated', event: { eventId: randomUUID(), occurredAt: new Date(), orderId, status, previousStatus } });
    },
  };
}

export type OrderEventEncoder = ReturnType<typeof createOrderEventEncoder>;
