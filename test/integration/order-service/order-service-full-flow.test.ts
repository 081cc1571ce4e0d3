import { expect } from 'chai';
import { CART_DATABASE } from '../../../src/cart-service';
import { startCartService, type RunningCartService } from '../../../src/cart-service/server';
import type { Config } from '../../../src/config';
import { Decimal, shippingCost } from '../../../src/domain';
import { ORDER_DATABASE, startOrderService, type RunningOrderService } from '../../../src/order-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST } from './order-service-fixtures';

interface Envelope {
  success: boolean;
  data: Record<string, unknown>;
}

describe('full flow: cart service POST -> Kafka (Avro) -> order service -> order-details', function () {
  this.timeout(120_000);
  let config: Config;
  let cartDb: TestDatabase;
  let orderDb: TestDatabase;
  let cart: RunningCartService;
  let orders: RunningOrderService;

  before(async () => {
    // Port 0 (any free port) is below the config's range, so it is set on the loaded config.
    config = { ...testConfig(), CART_SERVICE_PORT: 0 };
    cartDb = await createTestDatabase(CART_DATABASE, config);
    orderDb = await createTestDatabase(ORDER_DATABASE, config);
    cart = await startCartService(config, { knex: cartDb.knex });
    orders = await startOrderService(config, { ...FAST, knex: orderDb.knex, gaugeIntervalMs: 200 });
  });
  after(async () => {
    await orders?.stop();
    await cart?.stop();
    await orderDb?.destroy();
    await cartDb?.destroy();
  });

  async function post(path: string, method: 'POST' | 'PUT', body: unknown): Promise<{ status: number; body: Envelope }> {
    const response = await fetch(`http://127.0.0.1:${cart.port}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Envelope };
  }

  async function details(orderId: string): Promise<Envelope['data'] | undefined> {
    const response = await fetch(`http://127.0.0.1:${orders.port}/api/order-details?orderId=${orderId}`);
    return response.status === 200 ? ((await response.json()) as Envelope).data : undefined;
  }

  it('a generated order arrives with shippingCost = 2% of its total, half-up to cents', async () => {
    const created = await post('/api/create-order', 'POST', { orderId: 'FLOW-GEN-1', numItems: 3 });
    expect(created.status).to.equal(201);
    const total = String(created.body.data.totalAmount);
    const order = await waitFor(() => details('FLOW-GEN-1'), { what: 'FLOW-GEN-1 in the order service' });
    expect(order.totalAmount).to.equal(new Decimal(total).toFixed(2));
    expect(order.shippingCost).to.equal(shippingCost(new Decimal(total)).toFixed(2));
  });

  it('a full order of 10.25 arrives with shippingCost 0.21, and a status update follows it', async () => {
    const body = {
      orderId: 'FLOW-FULL-1',
      customerId: 'CUST-9',
      orderDate: '2026-11-20T10:00:00Z',
      items: [
        { itemId: 'SKU-1', quantity: 2, price: '5.00' },
        { itemId: 'SKU-2', quantity: 1, price: '0.25' },
      ],
      totalAmount: '10.25',
      currency: 'EUR',
    };
    expect((await post('/api/create-order', 'POST', body)).status).to.equal(201);
    const order = await waitFor(() => details('FLOW-FULL-1'), { what: 'FLOW-FULL-1 in the order service' });
    expect(order).to.include({ totalAmount: '10.25', shippingCost: '0.21', status: 'pending' });
    expect((await post('/api/update-order', 'PUT', { orderId: 'FLOW-FULL-1', status: 'confirmed' })).status).to.equal(200);
    await waitFor(async () => (await details('FLOW-FULL-1'))?.status === 'confirmed', { what: 'the confirmation to arrive' });
  });

  it('once everything is applied, reports no lag on any partition, past the transaction markers too', async () => {
    const lags = await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${orders.port}/metrics`)).text();
        const values = [...text.matchAll(/^orderflow_consumer_lag_messages\{[^}]*\} (\S+)$/gm)].map((match) => Number(match[1]));
        return values.length > 0 && values.every((lag) => lag === 0) ? values : undefined;
      },
      { what: 'the lag gauge to reach 0 on every partition' },
    );
    expect(lags).to.have.length.greaterThan(0);
  });
});
