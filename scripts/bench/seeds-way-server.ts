/**
 * "The seeds' way" in `npm run bench:producer`: create-order as the seed systems did it, with
 * the project's own pieces — domain validation and generation, the Avro serde and its registered
 * schemas — but each request awaits its own send through an idempotent kafkajs producer
 * (acks=all, one request in flight), and there is no database. The cart's target is twice this.
 *
 * Environment: BENCH_SERVER_PORT, plus the services' KAFKA_BROKERS, SCHEMA_REGISTRY_URL,
 * ORDER_EVENTS_TOPIC, HTTP_BODY_LIMIT and LOG_LEVEL.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import { loadConfig } from '../../src/config';
import { generateOrder, toOrderJson, validateCreateRequest, type Order } from '../../src/domain';
import { AppError } from '../../src/errors';
import { success } from '../../src/lib/http';
import { jsonBody } from '../../src/lib/http/json-body';
import { createKafkaClient, ensureTopics, kafkaConnection } from '../../src/lib/kafka';
import { createOrderEventSerde, EVENT_ID_HEADER, EVENT_TYPE_HEADER } from '../../src/lib/registry';
import { answerErrors, benchServerPort, createBenchApp, serveUntilSignalled } from './bench-server';

/** The order a valid create request describes, generated or given; AppError VALIDATION_FAILED (400) otherwise. */
function orderFrom(body: unknown): Order {
  const validation = validateCreateRequest(body);
  if (!validation.ok) {
    const summary = validation.errors.map((error) => error.message).join('; ');
    throw new AppError('VALIDATION_FAILED', `the order is invalid: ${summary}`, { fieldErrors: validation.errors });
  }
  const { request } = validation;
  return request.kind === 'generate' ? generateOrder(request.orderId, request.numItems) : request.order;
}

/** Creates the topic like the cart does, so both write to 3 partitions. */
async function ensureTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [topic]);
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const topic = config.ORDER_EVENTS_TOPIC;
  const kafka = createKafkaClient({ ...kafkaConnection(config), clientId: 'orderflow-bench-seeds-way' });
  const serde = createOrderEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic });
  // The partitioner the project's producers name explicitly (which also silences kafkajs' v2 warning about it).
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await ensureTopic(kafka, topic);
  await serde.registerSchemas();
  await producer.connect();

  const app = createBenchApp();
  app.use(jsonBody(config.HTTP_BODY_LIMIT));
  app.post('/api/create-order', async (req, res) => {
    const order = orderFrom(req.body);
    const eventId = randomUUID();
    const value = await serde.encode({ type: 'OrderCreated', event: { eventId, occurredAt: new Date(), order } });
    const headers = { [EVENT_TYPE_HEADER]: 'OrderCreated', [EVENT_ID_HEADER]: eventId };
    // The seeds' way: this request alone, acknowledged by all in-sync replicas, before answering.
    await producer.send({ topic, acks: -1, messages: [{ key: order.orderId, value, headers }] });
    res.status(201).json(success(`order ${order.orderId} created`, toOrderJson(order)));
  });
  app.use(answerErrors);
  await serveUntilSignalled(app, benchServerPort(), () => producer.disconnect());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
