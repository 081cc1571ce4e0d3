import { expect } from 'chai';
import { parse as parseLosslessly, isLosslessNumber } from 'lossless-json';
import { CART_DATABASE } from '../../../src/cart-service';
import { startCartService, type RunningCartService } from '../../../src/cart-service/server';
import type { Config } from '../../../src/config';
import { ORDER_DATABASE, startOrderService, type RunningOrderService } from '../../../src/order-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST } from '../order-service/order-service-fixtures';

interface Reply {
  status: number;
  /** The body parsed with every number kept as the token sent (LosslessNumber), to check exact money. */
  body: unknown;
  headers: Headers;
}

async function call(url: string, init: { method?: string; json?: unknown } = {}): Promise<Reply> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    ...(init.json === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.json) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : parseLosslessly(text), headers: response.headers };
}

/** The number token as sent ("150.00" stays "150.00"), or a failed assertion when `value` is not a JSON number. */
function numberToken(value: unknown): string {
  expect(isLosslessNumber(value), `${JSON.stringify(value)} is a JSON number`).to.equal(true);
  return String(value);
}

describe('seed dialects: clients written for the seed systems work unchanged', function () {
  this.timeout(120_000);
  let config: Config;
  let cartDb: TestDatabase;
  let orderDb: TestDatabase;
  let cart: RunningCartService;
  let orders: RunningOrderService;
  const cartUrl = (path: string) => `http://127.0.0.1:${cart.port}${path}`;
  const orderUrl = (path: string) => `http://127.0.0.1:${orders.port}${path}`;
  /** Digits unique to this run, so the seed's digits-only ids do not meet those of other runs on the topic. */
  const digits = String(Date.now());

  before(async () => {
    config = { ...testConfig(), CART_SERVICE_PORT: 0 };
    cartDb = await createTestDatabase(CART_DATABASE, config);
    orderDb = await createTestDatabase(ORDER_DATABASE, config);
    cart = await startCartService(config, { knex: cartDb.knex });
    orders = await startOrderService(config, { ...FAST, knex: orderDb.knex });
  });
  after(async () => {
    await orders?.stop();
    await cart?.stop();
    await orderDb?.destroy();
    await cartDb?.destroy();
  });

  describe('seed 001 (cart on 8000, order service on 8001, unprefixed paths)', () => {
    it('POST /create-order {"order_id": "<digits>", "number_of_items": 3} answers 200 { message, orderId: "ORD-<digits>" }', async () => {
      const created = await call(cartUrl('/create-order'), { method: 'POST', json: { order_id: digits, number_of_items: 3 } });
      expect(created.status).to.equal(200);
      expect(created.body).to.deep.equal({ message: 'order created and published successfully', orderId: `ORD-${digits}` });
    });

    it('GET /order-details?orderId=ORD-<digits> answers { order, shippingCost } with money as exact JSON numbers, and the digits alone find it too', async () => {
      const found = await waitFor(
        async () => {
          const reply = await call(orderUrl(`/order-details?orderId=ORD-${digits}`));
          return reply.status === 200 ? reply : undefined;
        },
        { what: `ORD-${digits} in the order service` },
      );
      const body = found.body as { order: Record<string, unknown> & { items: Array<Record<string, unknown>> }; shippingCost: unknown };
      expect(Object.keys(body)).to.have.members(['order', 'shippingCost']);
      expect(Object.keys(body.order)).to.have.members(['orderId', 'customerId', 'orderDate', 'items', 'totalAmount', 'currency', 'status']);
      expect(body.order).to.include({ orderId: `ORD-${digits}`, status: 'pending' });
      expect(body.order.items).to.have.length(3);
      const total = numberToken(body.order.totalAmount);
      expect(total).to.match(/^\d+\.\d{2}$/);
      for (const item of body.order.items) expect(numberToken(item.price)).to.match(/^\d+\.\d{2}$/);
      expect(numberToken(body.shippingCost)).to.match(/^\d+\.\d{2}$/);

      const byDigits = await call(orderUrl(`/order-details?orderId=${digits}`));
      expect(byDigits.status).to.equal(200);
      expect((byDigits.body as { order: { totalAmount: unknown } }).order.totalAmount).to.deep.equal(body.order.totalAmount);
    });

    it('PUT /update-order {"order_id": "ORD-<digits>", "status": "confirmed"} answers 200, and the order service follows', async () => {
      const updated = await call(cartUrl('/update-order'), { method: 'PUT', json: { order_id: `ORD-${digits}`, status: 'confirmed' } });
      expect(updated.status).to.equal(200);
      expect(updated.body).to.deep.equal({ message: 'order status updated and published successfully', orderId: `ORD-${digits}` });
      await waitFor(async () => ((await call(orderUrl(`/order-details?orderId=ORD-${digits}`))).body as { order?: { status?: string } }).order?.status === 'confirmed', {
        what: 'the confirmation to arrive',
      });
    });

    it('moves the order on to processing (the seeds\' status, an Avro enum symbol added in a later schema version), which the order service applies', async () => {
      const processing = await call(cartUrl('/update-order'), { method: 'PUT', json: { order_id: `ORD-${digits}`, status: 'processing' } });
      expect(processing.status).to.equal(200);
      await waitFor(async () => ((await call(orderUrl(`/order-details?orderId=ORD-${digits}`))).body as { order?: { status?: string } }).order?.status === 'processing', {
        what: 'processing to arrive',
      });
      const history = (await orderDb.knex('order_events').where({ order_id: `ORD-${digits}` }).orderBy('offset')) as Array<{ status: string; outcome: string }>;
      expect(history.map((event) => `${event.status}:${event.outcome}`)).to.deep.equal(['pending:applied', 'confirmed:applied', 'processing:applied']);
    });

    it('GET /getAllOrderIdsFromTopic?topicName=<topic> answers { topicName, orderIds }', async () => {
      const reply = await call(orderUrl(`/getAllOrderIdsFromTopic?topicName=${config.ORDER_EVENTS_TOPIC}`));
      expect(reply.status).to.equal(200);
      const body = reply.body as { topicName: string; orderIds: string[] };
      expect(Object.keys(body)).to.have.members(['topicName', 'orderIds']);
      expect(body.topicName).to.equal(config.ORDER_EVENTS_TOPIC);
      expect(body.orderIds).to.include(`ORD-${digits}`);
    });

    it('takes the camelCase spellings too, a digits-only id with them, and "new" for pending', async () => {
      const created = await call(cartUrl('/create-order'), { method: 'POST', json: { orderId: `${digits}1`, numberOfItems: 1 } });
      expect(created.status).to.equal(200);
      expect(created.body).to.deep.include({ orderId: `ORD-${digits}1` });
      // "new" is pending: moving a pending order to it is no move at all.
      const same = await call(cartUrl('/update-order'), { method: 'PUT', json: { orderId: `ORD-${digits}1`, status: 'new' } });
      expect(same.status).to.equal(409);
      expect(JSON.stringify(same.body)).to.contain("cannot move order from 'pending' to 'pending'");
    });

    it('answers an unknown order with 404 on both services, and changes nothing', async () => {
      const update = await call(cartUrl('/update-order'), { method: 'PUT', json: { order_id: '999000999', status: 'confirmed' } });
      expect(update.status).to.equal(404);
      expect(update.body).to.deep.include({ success: false, code: 'NOT_FOUND' });
      const details = await call(orderUrl('/order-details?orderId=999000999'));
      expect(details.status).to.equal(404);
      expect((await cartDb.knex('cart_orders').where({ order_id: 'ORD-999000999' })).length).to.equal(0);
    });

    it('refuses a duplicate id with 409 and two spellings of one field that disagree with 400, writing nothing', async () => {
      const duplicate = await call(cartUrl('/create-order'), { method: 'POST', json: { order_id: digits, number_of_items: 2 } });
      expect(duplicate.status).to.equal(409);
      const ambiguous = await call(cartUrl('/create-order'), { method: 'POST', json: { order_id: `${digits}2`, orderId: `${digits}3`, number_of_items: 1 } });
      expect(ambiguous.status).to.equal(400);
      expect(ambiguous.body).to.deep.include({ success: false, code: 'VALIDATION_FAILED' });
      expect((await cartDb.knex('cart_orders').whereIn('order_id', [`ORD-${digits}2`, `ORD-${digits}3`])).length).to.equal(0);
    });

    it('refuses a bad item count with 400 naming the field, as the main API does', async () => {
      const refused = await call(cartUrl('/create-order'), { method: 'POST', json: { order_id: `${digits}4`, number_of_items: 0 } });
      expect(refused.status).to.equal(400);
      expect(JSON.stringify(refused.body)).to.contain('numItems');
    });
  });

  describe('seed 000 (order service: /orders and /orders/{order_id})', () => {
    it('GET /orders answers a JSON array of order rows, with X-Total-Count, and filters by status', async () => {
      const all = await call(orderUrl('/orders'));
      expect(all.status).to.equal(200);
      expect(all.body).to.be.an('array');
      const rows = all.body as Array<Record<string, unknown>>;
      const row = rows.find((candidate) => candidate.order_id === `ORD-${digits}`);
      expect(row, `ORD-${digits} among ${rows.length} rows`).to.not.equal(undefined);
      expect(Object.keys(row!)).to.have.members(['order_id', 'customer_id', 'order_date', 'total_amount', 'currency', 'status', 'shipping_cost', 'updated_at']);
      expect(numberToken(row!.total_amount)).to.match(/^\d+\.\d{2}$/);
      expect(Number(all.headers.get('x-total-count'))).to.equal(rows.length);

      const processing = (await call(orderUrl('/orders?status=processing'))).body as Array<{ order_id: string; status: string }>;
      expect(processing.map((order) => order.order_id)).to.include(`ORD-${digits}`);
      expect(processing.every((order) => order.status === 'processing')).to.equal(true);
    });

    it('GET /orders/{order_id} answers one order with its items, and 404 for an unknown one', async () => {
      const one = await call(orderUrl(`/orders/ORD-${digits}`));
      expect(one.status).to.equal(200);
      const body = one.body as { order_id: string; items: Array<{ item_id: string; quantity: unknown; price: unknown }> };
      expect(body.order_id).to.equal(`ORD-${digits}`);
      expect(body.items).to.have.length(3);
      for (const item of body.items) expect(numberToken(item.price)).to.match(/^\d+\.\d{2}$/);
      expect((await call(orderUrl('/orders/NO-SUCH-ORDER'))).status).to.equal(404);
    });

    it('refuses a bad page size with 400 naming the parameter', async () => {
      const refused = await call(orderUrl('/orders?pageSize=0'));
      expect(refused.status).to.equal(400);
      expect(JSON.stringify(refused.body)).to.contain('pageSize');
    });
  });
});
