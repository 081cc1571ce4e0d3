import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { NOTIFICATION_DATABASE, OPENAPI_DOCUMENT, startNotificationService, type RunningNotificationService } from '../../../src/notification-service';
import { runPostmanCollection } from '../../helpers/postman';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { createEventProducer, orderCreated, statusUpdated } from '../order-service/order-service-fixtures';
import { createInventoryEventProducer, inventoryHeader } from './notification-fixtures';
import { withoutKeyAnswers } from '../../helpers/openapi-contract';

const FAST = { port: 0, retry: { initialMs: 100, maxMs: 1_000 } } as const;

describe('notification service: the Postman collection, run with newman', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  let orders: Awaited<ReturnType<typeof createEventProducer>>;
  let inventory: Awaited<ReturnType<typeof createInventoryEventProducer>>;
  let service: RunningNotificationService;
  const orderId = 'PM-NOTE-ORDER-1';

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(NOTIFICATION_DATABASE, config);
    orders = await createEventProducer(config);
    inventory = await createInventoryEventProducer(config);
    service = await startNotificationService(config, { ...FAST, knex: db.knex });
    // One order's story a second apart (placed, stock reserved, confirmed), and another order placed,
    // consumed from both topics as the cart and the inventory service would send them.
    const start = Date.now() - 60_000;
    const placed = { ...orderCreated(orderId), occurredAt: new Date(start) };
    const reserved = { ...inventoryHeader(orderId, placed.eventId), occurredAt: new Date(start + 1_000), items: [{ itemId: 'SKU-1', quantity: 2 }, { itemId: 'SKU-2', quantity: 1 }] };
    await orders.send([placed, statusUpdated(orderId, 'confirmed', 'pending', new Date(start + 2_000)), { ...orderCreated('PM-NOTE-ORDER-2'), occurredAt: new Date(start + 3_000) }]);
    await inventory.send([{ type: 'InventoryReserved', event: reserved }]);
    await waitFor(
      async () => {
        const rows = (await db.knex('notifications').whereIn('order_id', [orderId, 'PM-NOTE-ORDER-2']).select('order_id')) as Array<{ order_id: string }>;
        return rows.length === 4;
      },
      { what: 'the seeded notifications to be stored' },
    );
  });

  after(async () => {
    await service?.stop();
    await inventory?.close();
    await orders?.close();
    await db?.destroy();
  });

  it('passes every request and assertion against the running service, each answer as the OpenAPI document declares', async () => {
    const { summary, failures, contractFailures, contract } = await runPostmanCollection(
      'notification-service.postman_collection.json',
      { notificationServiceUrl: `http://127.0.0.1:${service.port}`, orderId },
      OPENAPI_DOCUMENT,
    );
    expect(failures).to.deep.equal([]);
    expect(contractFailures).to.deep.equal([]);
    expect(summary.run.stats.requests.total).to.equal(14);
    expect(summary.run.stats.assertions.failed).to.equal(0);
    expect(summary.run.stats.assertions.total).to.be.greaterThan(45);
    // Every 200/400 the document declares, through the collection; a 503 needs an outage.
    expect(withoutKeyAnswers(contract.coverage().unchecked)).to.deep.equal(['GET /ready 503']);
  });
});
