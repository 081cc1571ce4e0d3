import { expect } from 'chai';
import { OPENAPI_DOCUMENT } from '../../../src/order-service/openapi';
import { createOpenApiChecker } from '../../helpers/openapi-contract';

const order = {
  orderId: 'A-1',
  customerId: 'C-1',
  orderDate: '2026-11-01T10:00:00.000Z',
  items: [{ itemId: 'SKU-1', quantity: 1, price: '10.25' }],
  totalAmount: '10.25',
  currency: 'EUR',
  status: 'pending',
  stockState: 'awaiting',
  shippingCost: '0.21',
  updatedAt: '2026-11-01T10:00:01.000Z',
};
const ok = (data: unknown) => ({ success: true, message: 'ok', data });
const notFound = { success: false, code: 'NOT_FOUND', message: "order 'A-2' is unknown" };

/** The message of the assertion `run` fails with (or a failure when it passes). */
function failureOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  expect.fail('expected the contract check to fail');
}

describe('OpenAPI contract checker (test/helpers/openapi-contract) on the order service document', () => {
  const contract = () => createOpenApiChecker(OPENAPI_DOCUMENT);

  it('accepts declared answers, by template or by concrete path with a query string', () => {
    const checker = contract();
    checker.expectMatchesOpenApi('get', '/api/order-details?orderId=A-1', { status: 200, body: ok(order) });
    checker.expectMatchesOpenApi('GET', '/api/orders/A-1', { status: 200, body: ok(order), headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    checker.expectMatchesOpenApi('get', '/api/orders/{orderId}', { status: 404, body: notFound });
    expect(checker.coverage().checked).to.deep.equal(['GET /api/order-details 200', 'GET /api/orders/{orderId} 200', 'GET /api/orders/{orderId} 404']);
    expect(checker.hasOperation('get', '/api/orders/A-1')).to.equal(true);
    expect(checker.hasOperation('post', '/api/orders/A-1')).to.equal(false);
    expect(checker.hasOperation('get', '/docs/openapi.json')).to.equal(false);
  });

  it('rejects a status the operation does not declare, naming those it does', () => {
    const message = failureOf(() => contract().expectMatchesOpenApi('get', '/api/orders?page=1', { status: 404, body: notFound }));
    expect(message).to.contain('GET /api/orders -> 404').and.contain('declared: 200, 400');
  });

  it('rejects bodies that break the schema, through $refs into components', () => {
    const checker = contract();
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/api/orders/A-1', { status: 200, body: ok({ ...order, shippingCost: 0.21 }) }))).to.contain(
      'body/data/shippingCost must be string',
    );
    const { updatedAt: _dropped, ...withoutUpdatedAt } = order;
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/api/orders/A-1', { status: 200, body: ok(withoutUpdatedAt) }))).to.contain(
      "must have required property 'updatedAt'",
    );
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/api/orders/A-1', { status: 404, body: { ...notFound, success: true } }))).to.contain(
      'body/success must be equal to constant',
    );
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/api/orders/A-1', { status: 200, body: ok({ ...order, orderDate: 'yesterday' }) }))).to.contain(
      'must match format "date-time"',
    );
    expect(checker.coverage().checked).to.deep.equal([]);
  });

  it('rejects a Content-Type the status does not declare, and an unknown path', () => {
    const checker = contract();
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/api/orders/A-1', { status: 200, body: 'x', headers: { 'content-type': 'text/html' } }))).to.contain(
      "Content-Type 'text/html' is one of application/json",
    );
    checker.expectMatchesOpenApi('get', '/metrics', { status: 200, body: '# HELP x\n', headers: new Headers({ 'content-type': 'text/plain; version=0.0.4' }) });
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/nowhere', { status: 200, body: {} }))).to.contain('has a path for /nowhere');
  });

  it('refuses an OpenAPI 3.0 document, whose schemas are not JSON Schema', () => {
    expect(() => createOpenApiChecker({ openapi: '3.0.3', paths: {} })).to.throw(/OpenAPI 3\.1/);
  });

  it('follows response $refs, falls back to 4XX ranges and default, and checks declared headers', () => {
    const checker = createOpenApiChecker({
      openapi: '3.1.0',
      paths: {
        '/things/{id}': {
          get: {
            responses: {
              '200': { $ref: '#/components/responses/Thing' },
              '4XX': { description: 'client error', content: { 'application/json': { schema: { type: 'object', required: ['code'] } } } },
              default: { description: 'anything else' },
            },
          },
        },
        '/things/special': { get: { responses: { '200': { description: 'the concrete path wins' } } } },
      },
      components: {
        responses: {
          Thing: {
            description: 'a thing',
            headers: { 'Retry-After': { required: true, schema: { type: 'integer', minimum: 1 } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
        },
        schemas: { Thing: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } },
      },
    });
    checker.expectMatchesOpenApi('get', '/things/1', { status: 200, body: { id: '1' }, headers: { 'retry-after': '5' } });
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/things/1', { status: 200, body: { id: 1 } }))).to.contain('body/id must be string');
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/things/1', { status: 200, body: { id: '1' }, headers: {} }))).to.contain(
      'declared header Retry-After is required but missing',
    );
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/things/1', { status: 200, body: { id: '1' }, headers: { 'Retry-After': 'soon' } }))).to.contain(
      'header Retry-After',
    );
    checker.expectMatchesOpenApi('get', '/things/1', { status: 409, body: { code: 'CONFLICT' } });
    expect(failureOf(() => checker.expectMatchesOpenApi('get', '/things/1', { status: 404, body: {} }))).to.contain("must have required property 'code'");
    checker.expectMatchesOpenApi('get', '/things/1', { status: 503, body: 'whatever' });
    checker.expectMatchesOpenApi('get', '/things/special', { status: 200, body: 'not a thing' });
    expect(checker.coverage()).to.deep.equal({
      checked: ['GET /things/{id} 200', 'GET /things/{id} 4XX', 'GET /things/{id} default', 'GET /things/special 200'],
      unchecked: [],
    });
  });
});
