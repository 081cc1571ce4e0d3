import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { Decimal } from '../../../src/domain';
import { createInventoryRepository, INVENTORY_DATABASE, OPENAPI_DOCUMENT, startInventoryService, type InventoryRepository, type RunningInventoryService } from '../../../src/inventory-service';
import { runPostmanCollection } from '../../helpers/postman';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { createEventProducer, orderCreated } from '../order-service/order-service-fixtures';
import { withoutKeyAnswers } from '../../helpers/openapi-contract';

const FAST = { port: 0, retry: { initialMs: 100, maxMs: 1_000 } } as const;

describe('inventory service: the Postman collection, run with newman', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  let repository: InventoryRepository;
  let producer: Awaited<ReturnType<typeof createEventProducer>>;
  let service: RunningInventoryService;
  const orderId = 'PM-INV-ORDER-1';
  const itemId = 'PM-ITEM-1';

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(INVENTORY_DATABASE, config);
    repository = createInventoryRepository({ knex: db.knex });
    producer = await createEventProducer(config);
    service = await startInventoryService(config, { ...FAST, knex: db.knex });
    // Two stocked items and an order reserving both, consumed from Kafka as the cart would send it.
    await repository.setAvailable('PM-STOCK-A', 10);
    await repository.setAvailable('PM-STOCK-B', 5);
    const price = new Decimal('2.50');
    await producer.send([orderCreated(orderId, { items: [{ itemId: 'PM-STOCK-A', quantity: 2, price }, { itemId: 'PM-STOCK-B', quantity: 1, price }] })]);
    await waitFor(async () => (await repository.reservationOf(orderId))?.state === 'reserved', { what: 'the seeded order to be reserved' });
  });

  after(async () => {
    await service?.stop();
    await producer?.close();
    await db?.destroy();
  });

  it('passes every request and assertion against the running service, each answer as the OpenAPI document declares', async () => {
    const { summary, failures, contractFailures, contract } = await runPostmanCollection(
      'inventory-service.postman_collection.json',
      { inventoryServiceUrl: `http://127.0.0.1:${service.port}`, itemId, orderId },
      OPENAPI_DOCUMENT,
    );
    expect(failures).to.deep.equal([]);
    expect(contractFailures).to.deep.equal([]);
    expect(summary.run.stats.requests.total).to.equal(21);
    expect(summary.run.stats.assertions.failed).to.equal(0);
    expect(summary.run.stats.assertions.total).to.be.greaterThan(60);
    // Every 200/400/404 the document declares, through the collection; a 503 needs an outage, and
    // the 409 an item holding about 2^31 units (the service's own test builds one in its table).
    expect(withoutKeyAnswers(contract.coverage().unchecked)).to.deep.equal(['PUT /api/inventory/{itemId} 409', 'GET /ready 503']);
    // The collection's writes as the database holds them: the last accepted PUT, the refused ones changing nothing.
    expect(await repository.stockOf(itemId)).to.include({ available: 7, reserved: 0 });
    expect(await repository.stockOf('PM-STOCK-A'), 'the seeded reservation untouched').to.include({ available: 8, reserved: 2 });
  });
});
