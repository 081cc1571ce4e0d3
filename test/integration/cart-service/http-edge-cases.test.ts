import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { uniqueSuffix } from '../../helpers/test-env';
import { call, expectMatchesOpenApi, startTestCartService, validOrderBody, type ApiResponse, type TestCartService } from './cart-service-harness';

interface Answer {
  success: boolean;
  code?: string;
  message: string;
  data?: Record<string, unknown>;
  errors?: Array<{ field: string; message: string }>;
}

const newOrderId = () => `ORDER-EDGE-${uniqueSuffix()}`;

/** The valid body of the harness (2 x 19.99 + 1 x 20.02 = 60.00) as JSON text, for editing the number tokens. */
function orderText(orderId: string, { price = '"19.99"', total = '"60.00"', quantity = '2' } = {}): string {
  return JSON.stringify(validOrderBody(orderId))
    .replace('"quantity":2,"price":"19.99"', `"quantity":${quantity},"price":${price}`)
    .replace('"totalAmount":"60.00"', `"totalAmount":${total}`);
}

describe('cart service: HTTP edge cases (JSON numbers, encodings)', function () {
  this.timeout(60_000);
  let cart: TestCartService;

  before(async () => {
    cart = await startTestCartService({ overrides: { HTTP_BODY_LIMIT: '16kb' } });
  });

  after(async () => {
    await cart?.destroy();
  });

  const create = async (raw: string): Promise<ApiResponse & { body: Answer }> => {
    const response = await call(cart.baseUrl, 'POST', '/api/create-order', undefined, { raw });
    expectMatchesOpenApi('post', '/api/create-order', response);
    return response as ApiResponse & { body: Answer };
  };

  describe('money sent as a JSON number', () => {
    it('rejects "price": 19.999999999999999 (which a double would round to 20) naming items[0].price', async () => {
      const orderId = newOrderId();
      const response = await create(orderText(orderId, { price: '19.999999999999999', total: '"60.02"' }));
      expect(response.status).to.equal(400);
      expect(response.body.code).to.equal('VALIDATION_FAILED');
      const fields = (response.body.errors ?? []).map((error) => error.field);
      expect(fields).to.include('items[0].price');
      const priceError = response.body.errors?.find((error) => error.field === 'items[0].price');
      expect(priceError?.message).to.contain('at most 2 decimal places').and.contain('19.999999999999999');
    });

    it('accepts "price": 19.99 as a number and answers 201 with "19.99"', async () => {
      const orderId = newOrderId();
      const response = await create(orderText(orderId, { price: '19.99', total: '60.00' }));
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      const items = response.body.data?.items as Array<{ price: string }>;
      expect(items[0]?.price).to.equal('19.99');
      expect(response.body.data?.totalAmount).to.equal('60.00');
    });

    it('reads "totalAmount": 6e1 as 60 and "price": 1.999e1 as 19.99, exactly', async () => {
      const orderId = newOrderId();
      const response = await create(orderText(orderId, { price: '1.999e1', total: '6e1' }));
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      expect(response.body.data?.totalAmount).to.equal('60.00');
      expect((response.body.data?.items as Array<{ price: string }>)[0]?.price).to.equal('19.99');
    });

    it('answers "totalAmount": 1e2 with the total mismatch (read as 100), and 6.0000000000000001e1 as too many decimals', async () => {
      const mismatch = await create(orderText(newOrderId(), { total: '1e2' }));
      expect(mismatch.status).to.equal(400);
      expect(mismatch.body.errors?.map((error) => error.field)).to.deep.equal(['totalAmount']);
      expect(mismatch.body.errors?.[0]?.message).to.contain('100.00').and.contain('60.00');
      const tooFine = await create(orderText(newOrderId(), { total: '6.0000000000000001e1' }));
      expect(tooFine.status).to.equal(400);
      expect(tooFine.body.errors?.[0]?.field).to.equal('totalAmount');
      expect(tooFine.body.errors?.[0]?.message).to.contain('at most 2 decimal places').and.contain('60.000000000000001');
    });

    it('still rejects a fractional quantity, naming the field', async () => {
      const response = await create(orderText(newOrderId(), { quantity: '1.5' }));
      expect(response.status).to.equal(400);
      const quantityError = response.body.errors?.find((error) => error.field === 'items[0].quantity');
      expect(quantityError?.message).to.match(/^items\[0\]\.quantity must be a whole number/);
    });
  });

  describe('the short form', () => {
    it('still generates an order from numItems: 3', async () => {
      const orderId = newOrderId();
      const response = await create(JSON.stringify({ orderId, numItems: 3 }));
      expect(response.status).to.equal(201);
      expect(response.body.data?.items).to.have.length(3);
    });

    it('rejects numItems: 2.5, naming the field', async () => {
      const response = await create(`{"orderId":"${newOrderId()}","numItems":2.5}`);
      expect(response.status).to.equal(400);
      expect(response.body.errors?.[0]?.field).to.equal('numItems');
      expect(response.body.errors?.[0]?.message).to.match(/^numItems must be a whole number/);
    });
  });

  describe('bodies that cannot be read', () => {
    it('keeps 400 for malformed JSON', async () => {
      const response = await create('{"orderId": ');
      expect(response.status).to.equal(400);
      expect(response.body).to.deep.equal({ success: false, code: 'MALFORMED_REQUEST', message: 'the request body is not valid JSON' });
    });

    it('keeps 413 for a body over HTTP_BODY_LIMIT', async () => {
      const response = await create(JSON.stringify({ orderId: newOrderId(), numItems: 1, padding: 'x'.repeat(20_000) }));
      expect(response.status).to.equal(413);
      expect(response.body.code).to.equal('PAYLOAD_TOO_LARGE');
    });

    it('answers 400, not 500, for Content-Encoding: gzip with a corrupt body', async () => {
      const response = await fetch(`${cart.baseUrl}/api/create-order`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: Buffer.concat([gzipSync('{"orderId":"X","numItems":1}').subarray(0, 12), Buffer.from('garbage')]),
      });
      const answer = { status: response.status, headers: response.headers, body: (await response.json()) as Answer };
      expectMatchesOpenApi('post', '/api/create-order', answer);
      expect(answer.status).to.equal(400);
      expect(answer.body.code).to.equal('MALFORMED_REQUEST');
      expect(answer.body.message).to.not.match(/\n|\bat .*\.(?:js|ts):\d+/);
    });
  });

  it('answers a method a path does not serve with 405 and Allow, on the main API and the seed dialect alike', async () => {
    for (const [method, path, allow] of [
      ['GET', '/api/create-order', 'POST'],
      ['POST', '/api/update-order', 'PUT'],
      ['DELETE', '/api/orders/X', 'GET, HEAD'],
      ['GET', '/create-order', 'POST'],
    ] as const) {
      const response = await fetch(`${cart.baseUrl}${path}`, { method });
      expect([response.status, response.headers.get('allow')], `${method} ${path}`).to.deep.equal([405, allow]);
      expect(((await response.json()) as { code: string }).code).to.equal('METHOD_NOT_ALLOWED');
    }
  });
});
