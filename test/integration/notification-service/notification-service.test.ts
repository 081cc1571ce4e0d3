import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../../src/config';
import { Decimal } from '../../../src/domain';
import { DLQ_HEADERS } from '../../../src/lib/consumer';
import { NOTIFICATION_DATABASE, OPENAPI_DOCUMENT, startNotificationService, type RunningNotificationService } from '../../../src/notification-service';
import { createOpenApiChecker } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { createEventProducer, header, orderCreated, statusUpdated } from '../order-service/order-service-fixtures';
import { createInventoryEventProducer, inventoryHeader, watchNotificationDeadLetters } from './notification-fixtures';

const FAST = { port: 0, retry: { initialMs: 100, maxMs: 1_000 } } as const;

interface Notification {
  id: string;
  orderId: string;
  kind: string;
  message: string;
  details: Record<string, unknown>;
  occurredAt: string;
  source: { eventId: string; eventType: string; topic: string; partition: number; offset: string };
  delivery: { state: string; attempts: number };
}

interface Reply {
  status: number;
  body: { success: boolean; message: string; code?: string; data?: { notifications: Notification[]; page: number; pageSize: number; total: number }; errors?: Array<{ field: string; message: string }> };
}

describe('notification service: one notification per meaningful event of the order and inventory topics', function () {
  this.timeout(120_000);
  const contract = createOpenApiChecker(OPENAPI_DOCUMENT);
  let config: Config;
  let db: TestDatabase;
  let service: RunningNotificationService;
  let orders: Awaited<ReturnType<typeof createEventProducer>>;
  let inventory: Awaited<ReturnType<typeof createInventoryEventProducer>>;
  let deadLetters: Awaited<ReturnType<typeof watchNotificationDeadLetters>>;

  const call = async (path: string): Promise<Reply> => {
    const response = await fetch(`http://127.0.0.1:${service.port}${path}`);
    const reply = { status: response.status, body: (await response.json()) as Reply['body'] };
    contract.expectMatchesOpenApi('get', path, { ...reply, headers: response.headers });
    return reply;
  };
  const notificationsOf = async (orderId: string): Promise<Notification[]> => (await call(`/api/notifications?orderId=${encodeURIComponent(orderId)}&pageSize=100`)).body.data?.notifications ?? [];
  const awaitNotifications = (orderId: string, count: number): Promise<Notification[]> =>
    waitFor(async () => {
      const found = await notificationsOf(orderId);
      return found.length >= count ? found : undefined;
    }, { what: `${count} notification(s) of ${orderId}` });

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(NOTIFICATION_DATABASE, config);
    orders = await createEventProducer(config);
    inventory = await createInventoryEventProducer(config);
    deadLetters = await watchNotificationDeadLetters(config);
    service = await startNotificationService(config, { ...FAST, knex: db.knex });
  });
  after(async () => {
    await service?.stop();
    await deadLetters?.stop();
    await inventory?.close();
    await orders?.close();
    await db?.destroy();
  });

  it("tells an order's story newest first: placed, stock reserved, then its status change, each with its message", async () => {
    const placed = orderCreated('NOTE-1', { items: [{ itemId: 'ITEM-001', quantity: 2, price: new Decimal('5.00') }] });
    await orders.send([placed]);
    await awaitNotifications('NOTE-1', 1);
    await inventory.send([{ type: 'InventoryReserved', event: { ...inventoryHeader('NOTE-1', placed.eventId), items: [{ itemId: 'ITEM-001', quantity: 2 }] } }]);
    await awaitNotifications('NOTE-1', 2);
    await orders.send([statusUpdated('NOTE-1', 'confirmed', 'pending')]);
    const story = await awaitNotifications('NOTE-1', 3);

    expect(story.map((note) => [note.kind, note.message])).to.deep.equal([
      ['status_changed', 'Order NOTE-1 is now confirmed'],
      ['stock_reserved', 'Stock reserved for order NOTE-1: 2 of ITEM-001'],
      ['order_placed', 'Order NOTE-1 placed: 2 units of 1 item, 10.00 EUR'],
    ]);
    const [, reservedNote, placedNote] = story;
    expect(placedNote?.source).to.include({ eventId: placed.eventId, eventType: 'OrderCreated', topic: config.ORDER_EVENTS_TOPIC });
    expect(placedNote?.details).to.include({ customerId: 'CUST-1', totalAmount: '10.00', currency: 'EUR' });
    expect(reservedNote?.source).to.include({ eventType: 'InventoryReserved', topic: config.INVENTORY_EVENTS_TOPIC });
    expect(reservedNote?.details).to.include({ causationEventId: placed.eventId });
    expect(story.every((note) => note.delivery.state === 'webhooks_off'), 'no WEBHOOK_URL: none is ever sent').to.equal(true);
  });

  it('names the short item of a rejected order, with what was asked and what was available', async () => {
    await inventory.send([{ type: 'InventoryRejected', event: { ...inventoryHeader('NOTE-2'), shortItems: [{ itemId: 'ITEM-003', requested: 4, available: 1 }] } }]);
    const [note] = await awaitNotifications('NOTE-2', 1);
    expect(note).to.include({ kind: 'out_of_stock', message: 'Order NOTE-2 is out of stock: ITEM-003 (asked 4, 1 available)' });
    expect(note?.details).to.deep.equal({ causationEventId: (note?.details as { causationEventId: string }).causationEventId, shortItems: [{ itemId: 'ITEM-003', requested: 4, available: 1 }] });
  });

  it('stores one notification for an event sent twice, on either topic', async () => {
    const placed = orderCreated('NOTE-3');
    const released = { type: 'InventoryReleased' as const, event: { ...inventoryHeader('NOTE-3'), items: [{ itemId: 'SKU-1', quantity: 2 }] } };
    await orders.send([placed, placed]);
    await inventory.send([released]);
    await inventory.send([released]);
    // Sent after the repeats under the same key (same partition, in order): once these are in, the repeats were consumed.
    await orders.send([statusUpdated('NOTE-3', 'cancelled', 'pending')]);
    await inventory.send([{ type: 'InventoryCommitted', event: { ...inventoryHeader('NOTE-3'), items: [{ itemId: 'SKU-1', quantity: 2 }] } }]);
    await waitFor(async () => {
      const kinds = (await notificationsOf('NOTE-3')).map((note) => note.kind);
      return kinds.includes('status_changed') && kinds.includes('stock_committed');
    }, { what: 'the events after the repeats' });
    const kinds = (await notificationsOf('NOTE-3')).map((note) => note.kind).sort();
    expect(kinds).to.deep.equal(['order_placed', 'status_changed', 'stock_committed', 'stock_released']);
    expect(await service.metrics.registry.getSingleMetricAsString('orderflow_events_consumed_total')).to.match(/event_type="OrderCreated",outcome="duplicate"/);
  });

  for (const topic of ['order', 'inventory'] as const) {
    it(`dead-letters a record of the ${topic} topic that is not Confluent Avro, naming why and where, and goes on consuming`, async () => {
      const orderId = `NOTE-POISON-${topic}`;
      const garbage = Buffer.from('not avro at all');
      if (topic === 'order') await orders.sendRaw(orderId, garbage);
      else await inventory.sendRaw(orderId, garbage);
      const sourceTopic = topic === 'order' ? config.ORDER_EVENTS_TOPIC : config.INVENTORY_EVENTS_TOPIC;
      const letter = await waitFor(() => deadLetters.messages.find((message) => message.key?.toString() === orderId), { what: `the dead letter of ${orderId}` });
      expect(header(letter, DLQ_HEADERS.errorCode)).to.equal('NOT_CONFLUENT_AVRO');
      expect(header(letter, DLQ_HEADERS.sourceTopic)).to.equal(sourceTopic);
      expect(letter.value?.equals(garbage)).to.equal(true);

      if (topic === 'order') await orders.send([orderCreated(orderId)]);
      else await inventory.send([{ type: 'InventoryReserved', event: { ...inventoryHeader(orderId), items: [{ itemId: 'SKU-1', quantity: 1 }] } }]);
      const [note] = await awaitNotifications(orderId, 1);
      expect(note?.kind).to.equal(topic === 'order' ? 'order_placed' : 'stock_reserved');
    });
  }

  it('dead-letters an inventory event without an order id as BUSINESS_INVALID, storing nothing', async () => {
    const blank = { type: 'InventoryReserved' as const, event: { ...inventoryHeader('  '), items: [{ itemId: 'SKU-1', quantity: 1 }] } };
    await inventory.send([blank]);
    const letter = await waitFor(() => deadLetters.messages.find((message) => header(message, DLQ_HEADERS.eventId) === blank.event.eventId), { what: 'the dead letter of the blank order id' });
    expect(header(letter, DLQ_HEADERS.errorCode)).to.equal('BUSINESS_INVALID');
    expect(header(letter, DLQ_HEADERS.errorMessage)).to.equal('orderId must be a non-empty string');
    const stored = (await call('/api/notifications?pageSize=100')).body.data?.notifications ?? [];
    expect(stored.map((note) => note.source.eventId)).to.not.include(blank.event.eventId);
  });

  it('lists every order\'s notifications a page at a time, newest first, with the total', async () => {
    const orderIds = ['NOTE-PAGE-A', 'NOTE-PAGE-B', 'NOTE-PAGE-C'];
    const base = Date.parse('2030-01-01T00:00:00Z');
    // Far in the future, so these three are the newest of this topic's notifications, in a known order.
    await orders.send(orderIds.map((orderId, index) => statusUpdated(orderId, 'confirmed', 'pending', new Date(base + index * 1_000))));
    for (const orderId of orderIds) await awaitNotifications(orderId, 1);
    const first = (await call('/api/notifications?page=1&pageSize=2')).body.data;
    const second = (await call('/api/notifications?page=2&pageSize=2')).body.data;
    expect(first?.notifications.map((note) => note.orderId)).to.deep.equal(['NOTE-PAGE-C', 'NOTE-PAGE-B']);
    expect(second?.notifications.map((note) => note.orderId)[0]).to.equal('NOTE-PAGE-A');
    expect(first).to.include({ page: 1, pageSize: 2 });
    expect(first?.total).to.be.at.least(3).and.equal(second?.total);
  });

  it('answers an order with no notifications with an empty page', async () => {
    const reply = await call(`/api/notifications?orderId=NEVER-${randomUUID()}`);
    expect(reply.status).to.equal(200);
    expect(reply.body.data).to.deep.equal({ notifications: [], page: 1, pageSize: 20, total: 0 });
  });

  for (const [path, field, message] of [
    ['/api/notifications?page=0', 'page', 'page must be at least 1'],
    ['/api/notifications?page=two', 'page', 'page must be a whole number'],
    ['/api/notifications?pageSize=101', 'pageSize', 'pageSize must be at most 100'],
    ['/api/notifications?pageSize=1.5', 'pageSize', 'pageSize must be a whole number'],
    ['/api/notifications?orderId=%20%20', 'orderId', 'orderId'],
    [`/api/notifications?orderId=${'X'.repeat(65)}`, 'orderId', 'orderId must be at most 64 characters'],
    ['/api/notifications?orderId=A&orderId=B', 'orderId', 'orderId'],
  ] as const) {
    it(`answers 400 naming ${field} for ${path.slice(0, 60)}`, async () => {
      const reply = await call(path);
      expect(reply.status).to.equal(400);
      expect(reply.body.code).to.equal('VALIDATION_FAILED');
      expect(reply.body.errors?.map((error) => error.field)).to.include(field);
      expect(reply.body.errors?.map((error) => error.message).join('; ')).to.contain(message);
    });
  }

  it('serves /health, /ready, /metrics and its OpenAPI document at /docs', async () => {
    for (const path of ['/health', '/ready', '/metrics']) {
      const response = await fetch(`http://127.0.0.1:${service.port}${path}`);
      const body: unknown = path === '/metrics' ? await response.text() : await response.json();
      expect(response.status, path).to.equal(200);
      contract.expectMatchesOpenApi('get', path, { status: response.status, body, headers: response.headers });
    }
    const document = (await (await fetch(`http://127.0.0.1:${service.port}/docs/openapi.json`)).json()) as { info: { title: string } };
    expect(document.info.title).to.equal('Orderflow notification service');
    expect((await fetch(`http://127.0.0.1:${service.port}/docs/`)).status).to.equal(200);
  });

  it('reports no webhook delivery and no backlog when WEBHOOK_URL is empty', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
    expect(metrics).to.not.match(/^orderflow_webhook_deliveries_total\{/m);
    expect(metrics).to.match(/^orderflow_webhook_pending_notifications\{service="notification-service"\} 0$/m);
  });
});
