import { expect } from 'chai';
import { uniqueSuffix } from '../../helpers/test-env';
import { call, collectTopic, expectMatchesOpenApi, startTestCartService, type ApiResponse, type TestCartService } from './cart-service-harness';
import { decodeOrderEvent } from './event-reader';

interface Body {
  success: boolean;
  code?: string;
  message: string;
  data?: { orderId: string; status: string; totalAmount: string };
  errors?: Array<{ field: string; message: string }>;
}

describe('cart service: PUT /api/update-order', function () {
  this.timeout(60_000);
  let cart: TestCartService;
  let topic: Awaited<ReturnType<typeof collectTopic>>;

  before(async () => {
    cart = await startTestCartService();
    topic = await collectTopic(cart.config);
  });

  after(async () => {
    await topic?.consumer.disconnect();
    await cart?.destroy();
  });

  const update = async (body: unknown, options?: Parameters<typeof call>[4]): Promise<ApiResponse & { body: Body }> => {
    const response = await call(cart.baseUrl, 'PUT', '/api/update-order', body, options);
    expectMatchesOpenApi('put', '/api/update-order', response);
    return response as ApiResponse & { body: Body };
  };

  const createdOrder = async (): Promise<{ orderId: string; totalAmount: string }> => {
    const orderId = `ORDER-${uniqueSuffix()}`;
    const response = await call(cart.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 2 });
    expect(response.status).to.equal(201);
    return { orderId, totalAmount: (response.body as Body).data!.totalAmount };
  };

  it('moves an order through pending -> confirmed -> paid -> shipped -> delivered, answering 200 with the whole order each time', async () => {
    const { orderId, totalAmount } = await createdOrder();
    for (const status of ['confirmed', 'paid', 'shipped', 'delivered']) {
      const response = await update({ orderId, status });
      expect(response.status, `to ${status}`).to.equal(200);
      expect(response.body.data).to.include({ orderId, status, totalAmount });
    }
  });

  it('publishes OrderStatusUpdated with the new and the previous status, keyed by the order id behind its OrderCreated', async () => {
    const { orderId } = await createdOrder();
    expect((await update({ orderId, status: 'CONFIRMED' })).status).to.equal(200);
    const messages = await topic.waitForKey(orderId, 2);
    const events = await Promise.all(messages.map((message) => decodeOrderEvent(cart.config, message)));
    expect(events.map((event) => event.type)).to.deep.equal(['OrderCreated', 'OrderStatusUpdated']);
    expect(events[1]).to.include({ orderId, status: 'confirmed', previousStatus: 'pending' });
    expect(messages[1]!.headers?.['event-type']?.toString()).to.equal('OrderStatusUpdated');
    expect(messages[1]!.headers?.['event-id']?.toString()).to.equal(events[1]!.eventId);
  });

  it('cancels an order before it ships, accepting the US spelling "canceled"', async () => {
    const { orderId } = await createdOrder();
    expect((await update({ orderId, status: 'paid' })).status).to.equal(409);
    expect((await update({ orderId, status: 'confirmed' })).status).to.equal(200);
    const response = await update({ orderId, status: 'canceled' });
    expect(response.status).to.equal(200);
    expect(response.body.data?.status).to.equal('cancelled');
  });

  it('answers 409 naming both states for an illegal transition, and keeps the status', async () => {
    const { orderId } = await createdOrder();
    const response = await update({ orderId, status: 'shipped' });
    expect(response.status).to.equal(409);
    expect(response.body.code).to.equal('ILLEGAL_TRANSITION');
    expect(response.body.message).to.include("'pending'").and.to.include("'shipped'");
    const row = await cart.db.knex('cart_orders').where({ order_id: orderId }).first();
    expect(row.status).to.equal('pending');
  });

  it('answers 409 when cancelling an order that has shipped', async () => {
    const { orderId } = await createdOrder();
    for (const status of ['confirmed', 'paid', 'shipped']) expect((await update({ orderId, status })).status).to.equal(200);
    const response = await update({ orderId, status: 'cancelled' });
    expect(response.status).to.equal(409);
    expect(response.body.message).to.include("'shipped'").and.to.include("'cancelled'");
  });

  it('answers 404 naming the id for an order it does not know', async () => {
    const response = await update({ orderId: 'ORDER-NEVER-CREATED', status: 'confirmed' });
    expect(response.status).to.equal(404);
    expect(response.body.code).to.equal('NOT_FOUND');
    expect(response.body.message).to.include('ORDER-NEVER-CREATED');
  });

  it('answers 400 naming status for an unknown status', async () => {
    const { orderId } = await createdOrder();
    const response = await update({ orderId, status: 'teleported' });
    expect(response.status).to.equal(400);
    expect(response.body.errors?.map((error) => error.field)).to.deep.equal(['status']);
  });

  it('answers 400 naming orderId for an empty order id', async () => {
    const response = await update({ orderId: '', status: 'confirmed' });
    expect(response.status).to.equal(400);
    expect(response.body.errors?.map((error) => error.field)).to.deep.equal(['orderId']);
  });

  it('answers 400 for malformed JSON, 415 for another content type and 413 for an oversized body', async () => {
    expect((await update(undefined, { raw: '{"orderId":' })).status).to.equal(400);
    expect((await update(undefined, { raw: '<order/>', contentType: 'application/xml' })).status).to.equal(415);
    expect((await update({ orderId: 'ORDER-1', status: 'paid', padding: 'x'.repeat(200 * 1024) })).status).to.equal(413);
  });

  it('moves an order stored before the cart kept whole orders (no order column yet), answering with its id and status', async () => {
    const orderId = `OLD-${uniqueSuffix()}`;
    // As the first migration left it: id and status only.
    await cart.db.knex('cart_orders').insert({ order_id: orderId, status: 'pending' });
    const response = await call(cart.baseUrl, 'PUT', '/api/update-order', { orderId, status: 'confirmed' });
    expect(response.status).to.equal(200);
    expect((response.body as { data: unknown }).data).to.deep.equal({ orderId, status: 'confirmed' });
    expectMatchesOpenApi('put', '/api/update-order', response);
    const known = await call(cart.baseUrl, 'GET', `/api/orders/${orderId}`);
    expect(known.status).to.equal(200);
    expect((known.body as { data: { status: string; lastEvent: { eventType: string; published: boolean } } }).data).to.deep.include({ orderId, status: 'confirmed' });
    expectMatchesOpenApi('get', '/api/orders/{orderId}', known);
    const [event] = await topic.waitForKey(orderId);
    expect((await decodeOrderEvent(cart.config, event!)).type).to.equal('OrderStatusUpdated');
  });
});
