import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Config } from '../../../src/config';
import { Decimal, type OrderStatus } from '../../../src/domain';
import type { Knex } from '../../../src/lib/db';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createOrderEventSerde } from '../../../src/lib/registry';
import type { OrderCreatedEvent, OrderStatusUpdatedEvent } from '../../../src/lib/order-events';

/** The lifecycle a load test drives each order through, in order. */
export const LIFECYCLE: OrderStatus[] = ['pending', 'confirmed', 'paid', 'shipped', 'delivered'];

/** An OrderCreated to produce: the handler's input shape (derived from the generated Avro types). */
export type OrderCreatedInput = { type: 'OrderCreated' } & OrderCreatedEvent;

export type OrderStatusUpdatedInput = { type: 'OrderStatusUpdated'; previousStatus: string | null } & OrderStatusUpdatedEvent;

export type EventInput = OrderCreatedInput | OrderStatusUpdatedInput;

/** An OrderCreated whose total is 10.25 (shipping 0.21) unless items say otherwise. */
export function orderCreated(orderId: string, overrides: Partial<OrderCreatedInput['order']> & { eventId?: string } = {}): OrderCreatedInput {
  const items = overrides.items ?? [
    { itemId: 'SKU-1', quantity: 2, price: new Decimal('5.00') },
    { itemId: 'SKU-2', quantity: 1, price: new Decimal('0.25') },
  ];
  const total = items.reduce((sum, item) => sum.plus(item.price.times(item.quantity)), new Decimal(0));
  return {
    type: 'OrderCreated',
    eventId: overrides.eventId ?? randomUUID(),
    occurredAt: new Date(),
    order: {
      orderId,
      customerId: overrides.customerId ?? 'CUST-1',
      orderDate: overrides.orderDate ?? new Date('2026-11-01T10:00:00.000Z'),
      items,
      totalAmount: overrides.totalAmount ?? total,
      currency: overrides.currency ?? 'EUR',
      status: overrides.status ?? 'pending',
    },
  };
}

export function statusUpdated(orderId: string, status: string, previousStatus: string | null = null, occurredAt = new Date()): OrderStatusUpdatedInput {
  return { type: 'OrderStatusUpdated', eventId: randomUUID(), occurredAt, orderId, status, previousStatus };
}

/** Every event of `count` orders driven through the whole lifecycle (created + 4 updates each). */
export function lifecycleEvents(prefix: string, count: number): EventInput[] {
  const events: EventInput[] = [];
  for (let index = 0; index < count; index += 1) {
    const orderId = `${prefix}-${index}`;
    events.push(orderCreated(orderId));
    for (let step = 1; step < LIFECYCLE.length; step += 1) events.push(statusUpdated(orderId, LIFECYCLE[step] as string, LIFECYCLE[step - 1] as string));
  }
  return events;
}

function keyOf(event: EventInput): string {
  return event.type === 'OrderCreated' ? event.order.orderId : event.orderId;
}

/** Produces events with the real serde (Confluent Avro), keyed by order id, plus raw records. */
export async function createEventProducer(config: Config) {
  const kafka: Kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'order-service-test-producer' });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: config.ORDER_EVENTS_TOPIC, numPartitions: 3 },
      { topic: config.DEAD_LETTER_TOPIC, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const serde = createOrderEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.ORDER_EVENTS_TOPIC });
  await serde.registerSchemas();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  return {
    kafka,
    serde,
    async encode(input: EventInput): Promise<Buffer> {
      const { type, ...event } = input;
      // The fixtures build exactly the fields of the generated record types; the cast only
      // bridges this file's own (looser) status type to the generated enum.
      return serde.encode({ type, event } as unknown as Parameters<typeof serde.encode>[0]);
    },
    /** The record the cart would send for `event` (keyed by its order id unless `key` says otherwise). */
    async message(event: EventInput, key = keyOf(event)) {
      return { key, value: await this.encode(event), headers: { 'event-type': event.type, 'event-id': event.eventId } };
    },
    async send(events: EventInput[]): Promise<void> {
      const messages = await Promise.all(events.map((event) => this.message(event)));
      for (let start = 0; start < messages.length; start += 1_000) {
        await producer.send({ topic: config.ORDER_EVENTS_TOPIC, acks: -1, messages: messages.slice(start, start + 1_000) });
      }
    },
    async sendRaw(key: string, value: Buffer): Promise<void> {
      await producer.send({ topic: config.ORDER_EVENTS_TOPIC, acks: -1, messages: [{ key, value }] });
    },
    /** Sends `events` under one key in one produce call: one partition, and one batch for the consumer. */
    async sendUnderOneKey(key: string, events: EventInput[]): Promise<void> {
      const messages = await Promise.all(events.map((event) => this.message(event, key)));
      await producer.send({ topic: config.ORDER_EVENTS_TOPIC, acks: -1, messages });
    },
    async close(): Promise<void> {
      await producer.disconnect();
    },
  };
}

/** Collects what lands in the dead-letter topic. */
export async function watchDeadLetters(config: Config): Promise<{ messages: KafkaMessage[]; stop(): Promise<void> }> {
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'order-service-test-dlq' });
  const consumer = kafka.consumer({ groupId: `${config.CONSUMER_GROUP_ID}-dlq-reader` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: config.DEAD_LETTER_TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push(message);
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** The status the order service stored for `orderId`, if it stored the order. */
export async function orderStatus(knex: Knex, orderId: string): Promise<string | undefined> {
  const row = (await knex('orders').where({ order_id: orderId }).first()) as { status: string } | undefined;
  return row?.status;
}

/**
 * A database rule (a trigger) that refuses to store `orderId`, as an operator's mistake might:
 * the order's record fails on its own while the others of its batch are applied, so it is
 * dead-lettered. Resolves with the fix: dropping the rule.
 */
export async function refuseOrderByRule(knex: Knex, orderId: string): Promise<() => Promise<void>> {
  const name = `refuse_${orderId.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
  await knex.raw(`
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.order_id = '${orderId}' THEN RAISE EXCEPTION 'order ${orderId} is refused by a rule'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ${name} BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION ${name}();`);
  return async () => {
    await knex.raw(`DROP TRIGGER ${name} ON orders; DROP FUNCTION ${name}()`);
  };
}

/** The persisted state a test compares: every order with its money and status, and the event history. */
export async function snapshot(knex: Knex) {
  const orders = (await knex('orders').select('order_id', 'status', 'total_amount', 'shipping_cost').orderBy('order_id')) as Array<Record<string, string>>;
  const [items] = (await knex('order_items').count({ count: '*' })) as Array<{ count: string }>;
  const events = (await knex('order_events').select('event_id', 'outcome').orderBy('event_id')) as Array<Record<string, string>>;
  const [pending] = (await knex('pending_status_updates').count({ count: '*' })) as Array<{ count: string }>;
  return { orders, items: Number(items?.count), events, pending: Number(pending?.count) };
}

export async function countAppliedEvents(knex: Knex): Promise<number> {
  const [row] = (await knex('order_events').where({ outcome: 'applied' }).count({ count: '*' })) as Array<{ count: string }>;
  return Number(row?.count ?? 0);
}

/** Fast test settings: short backoff, no background gauge polling. */
export const FAST = { port: 0, retry: { initialMs: 100, maxMs: 1_000 }, gaugeIntervalMs: 0 } as const;
