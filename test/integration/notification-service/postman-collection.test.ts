import { join } from 'node:path';
import { expect } from 'chai';
import newman, { type NewmanRunSummary } from 'newman';
import type { Config } from '../../../src/config';
import { NOTIFICATION_DATABASE, OPENAPI_DOCUMENT, startNotificationService, type RunningNotificationService } from '../../../src/notification-service';
import { createOpenApiChecker } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { createEventProducer, orderCreated, statusUpdated } from '../order-service/order-service-fixtures';
import { createInventoryEventProducer, inventoryHeader } from './notification-fixtures';

const POSTMAN_DIR = join(__dirname, '..', '..', '..', 'postman');
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
    const contract = createOpenApiChecker(OPENAPI_DOCUMENT);
    const contractFailures: string[] = [];
    const summary = await new Promise<NewmanRunSummary>((resolve, reject) => {
      newman
        .run(
          {
            collection: join(POSTMAN_DIR, 'notification-service.postman_collection.json'),
            environment: join(POSTMAN_DIR, 'local.postman_environment.json'),
            envVar: [
              { key: 'notificationServiceUrl', value: `http://127.0.0.1:${service.port}` },
              { key: 'orderId', value: orderId },
            ],
            reporters: [],
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        )
        .on('request', (error, { request, response }) => {
          if (error || !response) return;
          const method = request.method.toLowerCase();
          const path = `/${request.url.getPathWithQuery().replace(/^\//, '')}`;
          if (!contract.hasOperation(method, path)) return;
          const contentType = response.headers.get('Content-Type') as string | undefined;
          const text = response.text();
          try {
            contract.expectMatchesOpenApi(method, path, {
              status: response.code,
              body: contentType?.includes('application/json') ? (JSON.parse(text) as unknown) : text,
              headers: contentType === undefined ? {} : { 'content-type': contentType },
            });
          } catch (failure) {
            contractFailures.push((failure as Error).message);
          }
        });
    });
    const failures = summary.run.failures.map((failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`);
    expect(failures).to.deep.equal([]);
    expect(contractFailures).to.deep.equal([]);
    expect(summary.run.stats.requests.total).to.equal(14);
    expect(summary.run.stats.assertions.failed).to.equal(0);
    expect(summary.run.stats.assertions.total).to.be.greaterThan(45);
    // Every 200/400 the document declares, through the collection; a 503 needs an outage.
    expect(contract.coverage().unchecked).to.deep.equal(['GET /ready 503']);
  });
});
