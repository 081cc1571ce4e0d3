import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { OPENAPI_DOCUMENT } from '../../../src/order-service/openapi';
import { runPostmanCollection } from '../../helpers/postman';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, orderCreated, statusUpdated } from './order-service-fixtures';
import { withoutKeyAnswers } from '../../helpers/openapi-contract';


describe('order service: the Postman collection, run with newman', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  let producer: Awaited<ReturnType<typeof createEventProducer>>;
  let service: RunningOrderService;
  const orderId = 'PM-ORDER-1';

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    producer = await createEventProducer(config);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    // Seeded through Kafka with the real serde, as the cart service would: one pending order, one confirmed.
    await producer.send([orderCreated(orderId), orderCreated('PM-ORDER-2'), statusUpdated('PM-ORDER-2', 'confirmed', 'pending')]);
    await waitFor(
      async () => {
        const rows = (await db.knex('orders').whereIn('order_id', [orderId, 'PM-ORDER-2']).select('status')) as Array<{ status: string }>;
        return rows.length === 2 && rows.some((row) => row.status === 'confirmed');
      },
      { what: 'the seeded orders to be consumed' },
    );
  });

  after(async () => {
    await service?.stop();
    await producer?.close();
    await db?.destroy();
  });

  it('passes every request and assertion against the running service, each answer as the OpenAPI document declares', async () => {
    const { summary, failures, contractFailures, contract } = await runPostmanCollection(
      'order-service.postman_collection.json',
      { orderServiceUrl: `http://127.0.0.1:${service.port}`, orderId, topicName: config.ORDER_EVENTS_TOPIC },
      OPENAPI_DOCUMENT,
    );
    expect(failures).to.deep.equal([]);
    expect(contractFailures).to.deep.equal([]);
    expect(summary.run.stats.requests.total).to.equal(36);
    expect(summary.run.stats.assertions.failed).to.equal(0);
    expect(summary.run.stats.assertions.total).to.be.greaterThan(60);
    // Every 200/400/404 the document declares, through the collection; the 503s need an outage,
    // and a dead letter to inspect or replay needs a refused record (dead-letter-api.test.ts has them).
    expect(withoutKeyAnswers(contract.coverage().unchecked)).to.deep.equal([
      'GET /api/dlq/{recordId} 200',
      'POST /api/dlq/{recordId}/replay 200',
      'POST /api/dlq/{recordId}/replay 409',
      'POST /api/dlq/{recordId}/replay 503',
      'GET /api/schemas 503',
      'GET /api/consumer-lag 503',
      'GET /ready 503',
    ]);
  });
});
