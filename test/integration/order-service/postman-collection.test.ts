import { join } from 'node:path';
import { expect } from 'chai';
import newman, { type NewmanRunSummary } from 'newman';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { OPENAPI_DOCUMENT } from '../../../src/order-service/openapi';
import { createOpenApiChecker } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, orderCreated, statusUpdated } from './order-service-fixtures';

const POSTMAN_DIR = join(__dirname, '..', '..', '..', 'postman');

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
    const contract = createOpenApiChecker(OPENAPI_DOCUMENT);
    const contractFailures: string[] = [];
    const summary = await new Promise<NewmanRunSummary>((resolve, reject) => {
      newman
        .run(
          {
            collection: join(POSTMAN_DIR, 'order-service.postman_collection.json'),
            environment: join(POSTMAN_DIR, 'local.postman_environment.json'),
            envVar: [
              { key: 'orderServiceUrl', value: `http://127.0.0.1:${service.port}` },
              { key: 'orderId', value: orderId },
              { key: 'topicName', value: config.ORDER_EVENTS_TOPIC },
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
    expect(summary.run.stats.requests.total).to.equal(36);
    expect(summary.run.stats.assertions.failed).to.equal(0);
    expect(summary.run.stats.assertions.total).to.be.greaterThan(60);
    // Every 200/400/404 the document declares, through the collection; the 503s need an outage,
    // and a dead letter to inspect or replay needs a refused record (dead-letter-api.test.ts has them).
    expect(contract.coverage().unchecked).to.deep.equal([
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
