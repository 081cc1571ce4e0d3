import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { ensureSchemathesis, runSchemathesis } from '../../helpers/schemathesis';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, orderCreated, orderStatus, statusUpdated } from './order-service-fixtures';

describe('order service under schemathesis: every request its OpenAPI document allows is answered as the document says', function () {
  this.timeout(900_000);
  let config: Config;
  let db: TestDatabase;
  let producer: Awaited<ReturnType<typeof createEventProducer>>;
  let service: RunningOrderService;
  let st: string;

  before(async () => {
    st = ensureSchemathesis();
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    producer = await createEventProducer(config);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    // A few orders, so reads find something besides 404s.
    await producer.send([orderCreated('ST-1'), orderCreated('ST-2'), statusUpdated('ST-2', 'confirmed', 'pending')]);
    await waitFor(async () => (await orderStatus(db.knex, 'ST-2')) === 'confirmed', { what: 'the orders applied' });
  });

  after(async () => {
    await service?.stop();
    await producer?.close();
    await db?.destroy();
  });

  it('finds no failure: no 5xx, no undeclared status or body, no schema-valid request refused, no schema-invalid one accepted', async () => {
    const { status, output } = await runSchemathesis(st, `http://127.0.0.1:${service.port}/docs/openapi.json`, { maxExamples: 25, seed: 20261202 });
    expect(status, output.split('\n').slice(-80).join('\n')).to.equal(0);
    expect(output).to.match(/Tested: \d+/);
  });
});
