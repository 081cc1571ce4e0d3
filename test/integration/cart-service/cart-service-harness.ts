import type { Consumer, KafkaMessage } from 'kafkajs';
import type { Config, ConfigKey } from '../../../src/config';
import { OPENAPI_DOCUMENT, startCartService, type RunningCartService, CART_DATABASE } from '../../../src/cart-service';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createOpenApiChecker } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';

/** A cart service running in-process on a free port, over its own topic and PostgreSQL schema. */
export interface TestCartService {
  config: Config;
  db: TestDatabase;
  baseUrl: string;
  service: RunningCartService;
  /** Stops the service (the database stays: see `destroy`). */
  stop(): Promise<void>;
  /** Stops the service and drops its schema. */
  destroy(): Promise<void>;
}

/** Starts a cart service; pass `db` to reuse a schema (a restart), `overrides` to change settings. */
export async function startTestCartService(
  { overrides = {}, db, config }: { overrides?: Partial<Record<ConfigKey, string>>; db?: TestDatabase; config?: Config } = {},
): Promise<TestCartService> {
  const effective = config ?? testConfig(overrides);
  const database = db ?? (await createTestDatabase(CART_DATABASE, effective, 90));
  const service = await startCartService(effective, { knex: database.knex, port: 0 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await service.stop();
  };
  return {
    config: effective,
    db: database,
    baseUrl: `http://127.0.0.1:${service.port}`,
    service,
    stop,
    async destroy() {
      await stop();
      await database.destroy();
    },
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Sends `body` as JSON (or as the raw string/content type given) and reads the JSON answer. */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  { raw, contentType = 'application/json' }: { raw?: string; contentType?: string } = {},
): Promise<ApiResponse> {
  const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: payload === undefined ? {} : { 'content-type': contentType },
    body: payload,
  });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
  return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : text };
}

const openApi = createOpenApiChecker(OPENAPI_DOCUMENT);

/** Asserts that a response is one the OpenAPI document declares for this operation and status, body and content type included. */
export function expectMatchesOpenApi(method: 'get' | 'post' | 'put', path: string, response: ApiResponse): void {
  openApi.expectMatchesOpenApi(method, path, response);
}

/** Collects every message of a topic from its beginning, for the tests to look into. */
export async function collectTopic(config: Config): Promise<{ messages: KafkaMessage[]; consumer: Consumer; waitForKey(key: string, count?: number): Promise<KafkaMessage[]> }> {
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'cart-service-test-reader' });
  const consumer = kafka.consumer({ groupId: `${config.CONSUMER_GROUP_ID}-reader`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: config.ORDER_EVENTS_TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push(message);
    },
  });
  return {
    messages,
    consumer,
    waitForKey: (key, count = 1) =>
      waitFor(
        () => {
          const found = messages.filter((message) => message.key?.toString() === key);
          return found.length >= count ? found : undefined;
        },
        { timeoutMs: 30_000, what: `${count} message(s) with key ${key} on ${config.ORDER_EVENTS_TOPIC}` },
      ),
  };
}

/** A valid full order body: 2 x 19.99 + 1 x 20.02 = 60.00. */
export function validOrderBody(orderId: string): Record<string, unknown> {
  return {
    orderId,
    customerId: 'CUST-4242',
    orderDate: '2024-05-01T12:30:00Z',
    items: [
      { itemId: 'ITEM-001', quantity: 2, price: '19.99' },
      { itemId: 'ITEM-002', quantity: 1, price: '20.02' },
    ],
    totalAmount: '60.00',
    currency: 'EUR',
  };
}
