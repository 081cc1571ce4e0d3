import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { Decimal } from '../../../src/domain';
import { INVENTORY_DATABASE, OPENAPI_DOCUMENT, startInventoryService, type RunningInventoryService } from '../../../src/inventory-service';
import { createOpenApiChecker } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { createEventProducer, orderCreated, statusUpdated } from '../order-service/order-service-fixtures';
import { watchInventoryEvents, type SeenAnswer } from './inventory-fixtures';

const FAST = { port: 0, retry: { initialMs: 100, maxMs: 1_000 } } as const;

/** Every answer of these tests is checked against the service's OpenAPI document. */
const openApi = createOpenApiChecker(OPENAPI_DOCUMENT);

/** Decoded Avro records are class instances; compared as plain data. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

interface Reply {
  status: number;
  body: { success: boolean; message: string; data?: Record<string, unknown>; errors?: Array<{ field: string; message: string }> };
}

describe('inventory service: reserves, refuses, releases and commits stock for the order events', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  let service: RunningInventoryService;
  let producer: Awaited<ReturnType<typeof createEventProducer>>;
  let answers: Awaited<ReturnType<typeof watchInventoryEvents>>;

  const call = async (path: string, method = 'GET', json?: unknown): Promise<Reply> => {
    const response = await fetch(`http://127.0.0.1:${service.port}${path}`, {
      method,
      ...(json === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
    });
    const reply = { status: response.status, body: (await response.json()) as Reply['body'] };
    openApi.expectMatchesOpenApi(method.toLowerCase(), path, { ...reply, headers: response.headers });
    return reply;
  };
  const setStock = async (itemId: string, available: number) => expect((await call(`/api/inventory/${itemId}`, 'PUT', { available })).status).to.equal(200);
  const stockOf = async (itemId: string) => (await call(`/api/inventory/${itemId}`)).body.data;
  const lines = (items: Array<[string, number]>) => items.map(([itemId, quantity]) => ({ itemId, quantity, price: new Decimal('2.50') }));
  const answersOf = (orderId: string, count = 1): Promise<SeenAnswer[]> =>
    waitFor(() => (answers.ofOrder(orderId).length >= count ? answers.ofOrder(orderId) : undefined), { what: `${count} answer(s) for ${orderId}` });

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(INVENTORY_DATABASE, config);
    producer = await createEventProducer(config);
    answers = await watchInventoryEvents(config);
    service = await startInventoryService(config, { ...FAST, knex: db.knex });
  });
  after(async () => {
    await service?.stop();
    await answers?.stop();
    await producer?.close();
    await db?.destroy();
  });

  it('reserves every line of an order: InventoryReserved keyed by the order id, naming its cause, and the units move from available to reserved', async () => {
    await setStock('INV-A', 10);
    const order = orderCreated('INV-1', { items: lines([['INV-A', 3]]) });
    await producer.send([order]);
    const [answer] = await answersOf('INV-1');
    expect(answer?.type).to.equal('InventoryReserved');
    expect(answer?.key).to.equal('INV-1');
    expect(answer?.event).to.include({ orderId: 'INV-1', causationEventId: order.eventId });
    expect(plain(answer?.type === 'InventoryReserved' && answer.event.items)).to.deep.equal([{ itemId: 'INV-A', quantity: 3 }]);
    expect(await stockOf('INV-A')).to.include({ available: 7, reserved: 3 });
    expect((await call('/api/reservations/INV-1')).body.data).to.include({ state: 'reserved' });
  });

  it('refuses an order with a short item, naming it with what was asked and what was there, and reserves none of its lines', async () => {
    await setStock('INV-B', 5);
    await setStock('INV-C', 1);
    await producer.send([orderCreated('INV-2', { items: lines([['INV-B', 2], ['INV-C', 4], ['INV-NEVER', 1]]) })]);
    const [answer] = await answersOf('INV-2');
    expect(answer?.type).to.equal('InventoryRejected');
    expect(plain(answer?.type === 'InventoryRejected' && answer.event.shortItems)).to.deep.equal([
      { itemId: 'INV-C', requested: 4, available: 1 },
      { itemId: 'INV-NEVER', requested: 1, available: 0 },
    ]);
    expect(await stockOf('INV-B'), 'the line that fitted is not held either').to.include({ available: 5, reserved: 0 });
  });

  it('releases the reservation of a cancelled order, and takes a shipped order\'s units out of stock', async () => {
    await setStock('INV-D', 4);
    await producer.send([orderCreated('INV-3', { items: lines([['INV-D', 1]]) }), orderCreated('INV-4', { items: lines([['INV-D', 2]]) })]);
    await answersOf('INV-3');
    await answersOf('INV-4');
    expect(await stockOf('INV-D')).to.include({ available: 1, reserved: 3 });
    await producer.send([statusUpdated('INV-3', 'cancelled', 'pending'), statusUpdated('INV-4', 'confirmed', 'pending'), statusUpdated('INV-4', 'shipped', 'confirmed')]);
    expect((await answersOf('INV-3', 2)).map((answer) => answer.type)).to.deep.equal(['InventoryReserved', 'InventoryReleased']);
    expect((await answersOf('INV-4', 2)).map((answer) => answer.type)).to.deep.equal(['InventoryReserved', 'InventoryCommitted']);
    expect(await stockOf('INV-D'), '1 released back; 2 shipped out').to.include({ available: 2, reserved: 0 });
  });

  it('never oversells: 100 concurrent orders for the last 10 units get exactly 10 reservations, whatever partition they land on', async () => {
    await setStock('INV-LAST', 10);
    const orders = Array.from({ length: 100 }, (_, index) => orderCreated(`INV-RUSH-${index}`, { items: lines([['INV-LAST', 1]]) }));
    await producer.send(orders);
    await waitFor(() => answers.seen.filter((answer) => answer.event.orderId.startsWith('INV-RUSH-')).length >= 100, { timeoutMs: 60_000, what: '100 answers' });
    const rush = answers.seen.filter((answer) => answer.event.orderId.startsWith('INV-RUSH-'));
    expect(new Set(rush.map((answer) => answer.partition)).size, 'orders spread over the partitions, processed concurrently').to.be.greaterThan(1);
    expect(rush.filter((answer) => answer.type === 'InventoryReserved')).to.have.length(10);
    expect(rush.filter((answer) => answer.type === 'InventoryRejected')).to.have.length(90);
    expect(await stockOf('INV-LAST')).to.include({ available: 0, reserved: 10 });
  });

  it('publishes its consumer lag on the order events topic in /metrics', async () => {
    await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${service.port}/metrics`)).text();
        return new RegExp(`^orderflow_consumer_lag_messages\\{[^}]*topic="${config.ORDER_EVENTS_TOPIC}"[^}]*\\} \\d+$`, 'm').test(text);
      },
      { timeoutMs: 30_000, what: 'the consumer-lag gauge of the order events topic' },
    );
  });

  it('answers a redelivered order event with the same answer (same event id) and reserves once', async () => {
    await setStock('INV-E', 10);
    const order = orderCreated('INV-5', { items: lines([['INV-E', 4]]) });
    await producer.send([order]);
    const [first] = await answersOf('INV-5');
    await producer.send([order]);
    const [, again] = await answersOf('INV-5', 2);
    expect(again?.event.eventId, 'the same answer, which readers drop by its id').to.equal(first?.event.eventId);
    expect(await stockOf('INV-E')).to.include({ available: 6, reserved: 4 });
  });
});

describe('inventory service: the stock API', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let service: RunningInventoryService;
  const call = async (path: string, method = 'GET', body?: string): Promise<Reply> => {
    const response = await fetch(`http://127.0.0.1:${service.port}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body }) });
    const reply = { status: response.status, body: (await response.json()) as Reply['body'] };
    openApi.expectMatchesOpenApi(method.toLowerCase(), path, { ...reply, headers: response.headers });
    return reply;
  };

  before(async () => {
    const config = testConfig();
    db = await createTestDatabase(INVENTORY_DATABASE, config);
    service = await startInventoryService(config, { ...FAST, knex: db.knex });
  });
  after(async () => {
    await service?.stop();
    await db?.destroy();
  });

  it('sets and reads an item\'s stock, and lists items a page at a time', async () => {
    expect((await call('/api/inventory/API-1', 'PUT', '{"available": 25}')).body.data).to.include({ itemId: 'API-1', available: 25, reserved: 0 });
    expect((await call('/api/inventory/API-2', 'PUT', '{"available": 0}')).status).to.equal(200);
    expect((await call('/api/inventory/API-1', 'PUT', '{"available": 7}')).body.data, 'a second PUT replaces').to.include({ available: 7 });
    expect((await call('/api/inventory/API-1')).body.data).to.include({ available: 7, reserved: 0 });
    const page = (await call('/api/inventory?page=2&pageSize=1')).body.data as { items: Array<{ itemId: string }>; total: number };
    expect(page.total).to.equal(2);
    expect(page.items.map((item) => item.itemId)).to.deep.equal(['API-2']);
  });

  it('answers 404 for an item never stocked and for an order it has not seen', async () => {
    expect((await call('/api/inventory/NEVER-SET')).status).to.equal(404);
    expect((await call('/api/reservations/NEVER-SEEN')).status).to.equal(404);
  });

  for (const [body, field, message] of [
    ['{"available": -1}', 'available', 'available must be at least 0'],
    ['{"available": 2.5}', 'available', 'available must be a whole number'],
    ['{"available": "5"}', 'available', 'available must be a whole number'],
    ['{}', 'available', 'available is required'],
    ['{"available": 5, "reserved": 1}', 'body', 'body has unknown fields: reserved'],
    ['[5]', 'body', 'body must be a JSON object'],
    ['{"available": 1e10}', 'available', 'available must be at most 1000000000'],
  ] as const) {
    it(`answers 400 naming ${field} for ${body}, and changes nothing`, async () => {
      const reply = await call('/api/inventory/API-BAD', 'PUT', body);
      expect(reply.status).to.equal(400);
      expect(reply.body.errors?.map((error) => error.message).join('; ')).to.contain(message);
      expect((await call('/api/inventory/API-BAD')).status).to.equal(404);
    });
  }

  it('answers 409 when what is available and what orders hold would together pass the most an item holds, and changes nothing', async () => {
    await db.knex('stock').insert({ item_id: 'API-FULL', available: 0, reserved: 1_500_000_000 });
    const reply = await call('/api/inventory/API-FULL', 'PUT', '{"available": 1000000000}');
    expect(reply.status).to.equal(409);
    expect(reply.body.message).to.contain('would pass 2147483647 units');
    expect((await call('/api/inventory/API-FULL')).body.data).to.include({ available: 0, reserved: 1_500_000_000 });
  });

  it('answers 400 for a page that is not a whole number', async () => {
    expect((await call('/api/inventory?page=0')).status).to.equal(400);
  });

  it('serves its OpenAPI document and Swagger UI at /docs, and answers /health and /ready as documented', async () => {
    const document = await fetch(`http://127.0.0.1:${service.port}/docs/openapi.json`);
    expect(((await document.json()) as { info: { title: string } }).info.title).to.equal('Orderflow inventory service');
    expect((await fetch(`http://127.0.0.1:${service.port}/docs/`)).status).to.equal(200);
    expect((await call('/health')).status).to.equal(200);
    expect((await call('/ready')).status).to.equal(200);
  });
});
