import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KafkaMessage, Producer } from 'kafkajs';
import type { Config } from '../../../src/config';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createInventoryEventSerde, type InventoryEvent } from '../../../src/lib/registry';

/** Produces inventory events as the inventory service does: Confluent Avro through the registry, keyed by order id. */
export async function createInventoryEventProducer(config: Config) {
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'notification-test-inventory-producer' });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: config.INVENTORY_EVENTS_TOPIC, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const serde = createInventoryEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.INVENTORY_EVENTS_TOPIC });
  await serde.registerSchemas();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    async send(events: InventoryEvent[]): Promise<void> {
      const messages = await Promise.all(
        events.map(async (event) => ({ key: event.event.orderId, value: await serde.encode(event), headers: { 'event-type': event.type, 'event-id': event.event.eventId } })),
      );
      await producer.send({ topic: config.INVENTORY_EVENTS_TOPIC, acks: -1, messages });
    },
    async sendRaw(key: string, value: Buffer): Promise<void> {
      await producer.send({ topic: config.INVENTORY_EVENTS_TOPIC, acks: -1, messages: [{ key, value }] });
    },
    close: () => producer.disconnect(),
  };
}

/** The fields every inventory event carries, for `orderId`, answering the order event `causationEventId`. */
export function inventoryHeader(orderId: string, causationEventId: string = randomUUID()) {
  return { eventId: randomUUID(), occurredAt: new Date(), orderId, causationEventId };
}

/** Collects what lands in NOTIFICATION_DEAD_LETTER_TOPIC. */
export async function watchNotificationDeadLetters(config: Config): Promise<{ messages: KafkaMessage[]; stop(): Promise<void> }> {
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'notification-test-dlq' });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: config.NOTIFICATION_DEAD_LETTER_TOPIC, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `${config.NOTIFICATION_CONSUMER_GROUP_ID}-dlq-reader` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: config.NOTIFICATION_DEAD_LETTER_TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push(message);
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/** One request a webhook receiver got, and the status it answered. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The body exactly as it arrived, the bytes its signature covers. */
  rawBody: string;
  status: number;
}

/** What a receiver decides its answer from: the notification as it arrived. */
export interface WebhookRequest {
  id: string;
  notification: { id: string; orderId: string; kind: string; message: string };
}

/**
 * A webhook receiver on loopback. `answer` picks the status of each request from the notification
 * and how many times its id came before (0 for the first); 204 unless it says otherwise.
 */
export async function startWebhookReceiver(answer: (request: WebhookRequest, earlier: number) => number = () => 204) {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = String(req.headers['x-orderflow-notification-id'] ?? '');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const earlier = received.filter((request) => request.headers['x-orderflow-notification-id'] === id).length;
      const status = answer({ id, notification: JSON.parse(rawBody) as WebhookRequest['notification'] }, earlier);
      received.push({ headers: req.headers, rawBody, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? '' : `refused with ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/orderflow`,
    received,
    /** The requests for notification `id`, in arrival order. */
    of: (id: string) => received.filter((request) => request.headers['x-orderflow-notification-id'] === id),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
