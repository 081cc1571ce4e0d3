import { expect } from 'chai';
import { uniqueSuffix } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { call, expectMatchesOpenApi, startTestCartService, type TestCartService } from './cart-service-harness';

describe('cart service: operations endpoints and shutdown', function () {
  this.timeout(60_000);
  let cart: TestCartService;

  before(async () => {
    cart = await startTestCartService();
  });

  after(async () => {
    await cart?.destroy();
  });

  it('/health answers 200 while the process is alive', async () => {
    const response = await call(cart.baseUrl, 'GET', '/health');
    expect(response.status).to.equal(200);
    expectMatchesOpenApi('get', '/health', response);
  });

  it('/ready answers 200 with Kafka, the registry and the database up', async () => {
    const response = await call(cart.baseUrl, 'GET', '/ready');
    expect(response.status).to.equal(200);
    expect((response.body as { data: unknown }).data).to.deep.equal({ kafka: 'up', registry: 'up', database: 'up', relay: 'leader', auth: 'open' });
    expectMatchesOpenApi('get', '/ready', response);
  });

  it('/metrics counts acknowledged events and produce batch sizes after a create', async () => {
    expect((await call(cart.baseUrl, 'POST', '/api/create-order', { orderId: `ORDER-${uniqueSuffix()}`, numItems: 1 })).status).to.equal(201);
    const response = await call(cart.baseUrl, 'GET', '/metrics');
    expect(response.status).to.equal(200);
    expect(response.body).to.match(/orderflow_events_produced_total\{[^}]*event_type="OrderCreated"[^}]*outcome="acknowledged"[^}]*\} 1/);
    expect(response.body).to.include('orderflow_produce_batch_events_count');
    expect(response.body).to.match(/http_request_duration_seconds_count\{[^}]*route="\/api\/create-order"/);
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /docs/openapi.json', async () => {
    const ui = await fetch(`${cart.baseUrl}/docs/`);
    expect(ui.status).to.equal(200);
    expect(await ui.text()).to.include('swagger-ui');
    const document = await call(cart.baseUrl, 'GET', '/docs/openapi.json');
    expect(document.status).to.equal(200);
    expect((document.body as { openapi: string }).openapi).to.equal('3.1.0');
  });

  it('answers 404 with the envelope for an unknown route', async () => {
    const response = await call(cart.baseUrl, 'GET', '/api/nothing-here');
    expect(response.status).to.equal(404);
    expect(response.body).to.include({ success: false, code: 'NOT_FOUND' });
  });

  it('on stop, finishes the requests in flight (answering 201 and committing them) before closing', async () => {
    // Without batching every create has its own insert, so the wait below can count them one by one.
    const stopping = await startTestCartService({ overrides: { GROUP_COMMIT: 'off' } });
    // Another transaction locks the table, so the creates are surely in flight (waiting to insert) when stop begins.
    const lock = await stopping.db.knex.transaction();
    try {
      await lock.raw('LOCK TABLE ?? IN EXCLUSIVE MODE', ['cart_orders']);
      const orderIds = Array.from({ length: 20 }, () => `ORDER-${uniqueSuffix()}`);
      const inFlight = orderIds.map((orderId) => call(stopping.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 1 }));
      await waitFor(
        async () => {
          const [row] = (
            await stopping.db.knex.raw(
              `SELECT count(*)::int AS count FROM pg_stat_activity
               WHERE wait_event_type = 'Lock' AND query ILIKE '%insert into cart_orders%' AND datname = current_database()`,
            )
          ).rows as Array<{ count: number }>;
          return (row?.count ?? 0) >= orderIds.length;
        },
        { what: 'every create to wait for its insert' },
      );
      const stopped = stopping.stop();
      await lock.commit();
      const responses = await Promise.all(inFlight);
      await stopped;
      expect(responses.map((response) => response.status)).to.deep.equal(orderIds.map(() => 201));
      expect(await stopping.db.knex('cart_orders').whereIn('order_id', orderIds)).to.have.length(orderIds.length);
      await fetch(`${stopping.baseUrl}/health`).then(
        () => expect.fail('the stopped service still accepts connections'),
        () => undefined,
      );
    } finally {
      if (!lock.isCompleted()) await lock.rollback();
      await stopping.destroy();
    }
  });
});
