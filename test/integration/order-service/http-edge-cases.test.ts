import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { OPENAPI_DOCUMENT } from '../../../src/order-service/openapi';
import { createOpenApiChecker } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { FAST } from './order-service-fixtures';

describe('order service: HTTP edge cases', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  let service: RunningOrderService;
  let base: string;
  const contract = createOpenApiChecker(OPENAPI_DOCUMENT);

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    base = `http://127.0.0.1:${service.port}`;
  });

  after(async () => {
    await service?.stop();
    await db?.destroy();
  });

  it('answers 400 MALFORMED_REQUEST, not 500, for an order id that does not percent-decode', async () => {
    const path = '/api/orders/%E0%A4%A';
    const response = await fetch(`${base}${path}`);
    const answer = { status: response.status, headers: response.headers, body: (await response.json()) as { success: boolean; code: string; message: string } };
    contract.expectMatchesOpenApi('get', path, answer);
    expect(answer.status).to.equal(400);
    expect(answer.body).to.deep.equal({ success: false, code: 'MALFORMED_REQUEST', message: 'the request path is not valid percent-encoding' });
  });

  it('answers a method a path does not serve with 405 and Allow, on the main API and the seed dialects alike', async () => {
    for (const [method, path, allow] of [
      ['POST', '/api/order-details?orderId=X', 'GET, HEAD'],
      ['DELETE', '/api/orders/X', 'GET, HEAD'],
      ['PUT', '/orders', 'GET, HEAD'],
      ['POST', '/order-details?orderId=1', 'GET, HEAD'],
    ] as const) {
      const response = await fetch(`${base}${path}`, { method });
      expect([response.status, response.headers.get('allow')], `${method} ${path}`).to.deep.equal([405, allow]);
      expect(((await response.json()) as { code: string }).code).to.equal('METHOD_NOT_ALLOWED');
    }
  });
});
