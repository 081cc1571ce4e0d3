import { expect } from 'chai';
import { ensureSchemathesis, runSchemathesis } from '../../helpers/schemathesis';
import { call, startTestCartService, validOrderBody, type TestCartService } from './cart-service-harness';

describe('cart service under schemathesis: every request its OpenAPI document allows is answered as the document says', function () {
  this.timeout(900_000);
  let cart: TestCartService;
  let st: string;

  before(async () => {
    st = ensureSchemathesis();
    cart = await startTestCartService();
    // Orders to update and read, so those requests find something besides 404s.
    for (const orderId of ['ST-1', 'ST-2']) {
      const created = await call(cart.baseUrl, 'POST', '/api/create-order', validOrderBody(orderId));
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
    }
  });

  after(async () => {
    await cart?.destroy();
  });

  it('finds no failure: no 5xx, no undeclared status or body, no schema-valid request refused, no schema-invalid one accepted', async () => {
    const { status, output } = await runSchemathesis(st, `${cart.baseUrl}/docs/openapi.json`, { maxExamples: 25, seed: 20261202 });
    expect(status, output.split('\n').slice(-120).join('\n')).to.equal(0);
    expect(output).to.match(/Tested: \d+/);
  });
});
