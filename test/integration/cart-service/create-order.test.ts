import { expect } from 'chai';
import { uniqueSuffix } from '../../helpers/test-env';
import { call, collectTopic, expectMatchesOpenApi, startTestCartService, validOrderBody, type ApiResponse, type TestCartService } from './cart-service-harness';
import { decodeOrderEvent } from './event-reader';

interface ErrorBody {
  success: false;
  code: string;
  message: string;
  errors?: Array<{ field: string; message: string }>;
}

const newOrderId = () => `ORDER-${uniqueSuffix()}`;

describe('cart service: POST /api/create-order', function () {
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

  const create = async (body: unknown, options?: Parameters<typeof call>[4]): Promise<ApiResponse> => {
    const response = await call(cart.baseUrl, 'POST', '/api/create-order', body, options);
    expectMatchesOpenApi('post', '/api/create-order', response);
    return response;
  };

  /** Produce calls made and events they carried so far, read from the service's /metrics. */
  async function produceCallTotals(): Promise<{ calls: number; events: number }> {
    const text = await (await fetch(`${cart.baseUrl}/metrics`)).text();
    const read = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return { calls: read('orderflow_produce_batch_events_count'), events: read('orderflow_produce_batch_events_sum') };
  }

  describe('when the order is accepted', () => {
    it('generates a pending order from { orderId, numItems } and answers 201 with it', async () => {
      const orderId = newOrderId();
      const response = await create({ orderId, numItems: 3 });
      expect(response.status).to.equal(201);
      const { data } = response.body as { data: { orderId: string; items: unknown[]; status: string; totalAmount: string } };
      expect(data.orderId).to.equal(orderId);
      expect(data.items).to.have.length(3);
      expect(data.status).to.equal('pending');
      expect(data.totalAmount).to.match(/^\d+\.\d{2}$/);
    });

    it('publishes the posted full order so that the bytes on the topic decode to it exactly, money to the cent', async () => {
      const orderId = newOrderId();
      const response = await create(validOrderBody(orderId));
      expect(response.status).to.equal(201);
      expect((response.body as { data: unknown }).data).to.deep.equal({ ...validOrderBody(orderId), orderDate: '2024-05-01T12:30:00.000Z', status: 'pending' });

      const [message] = await topic.waitForKey(orderId);
      const event = await decodeOrderEvent(cart.config, message!);
      expect(event.type).to.equal('OrderCreated');
      expect(message!.headers?.['event-type']?.toString()).to.equal('OrderCreated');
      expect(message!.headers?.['event-id']?.toString()).to.equal(event.eventId);
      expect(event.order).to.deep.equal({
        orderId,
        customerId: 'CUST-4242',
        orderDate: '2024-05-01T12:30:00.000Z',
        items: [
          { itemId: 'ITEM-001', quantity: 2, price: '19.99' },
          { itemId: 'ITEM-002', quantity: 1, price: '20.02' },
        ],
        totalAmount: '60.00',
        currency: 'EUR',
        status: 'pending',
        // v2 of OrderCreated; the cart service does not know the channel, so the schema default applies.
        salesChannel: 'web',
      });
    });

    it('stores the order id so that a second create of it answers 409 naming the id', async () => {
      const orderId = newOrderId();
      expect((await create({ orderId, numItems: 1 })).status).to.equal(201);
      const second = await create({ orderId, numItems: 2 });
      expect(second.status).to.equal(409);
      expect((second.body as ErrorBody).code).to.equal('CONFLICT');
      expect((second.body as ErrorBody).message).to.include(orderId);
    });

    it('answers exactly one 201 when 100 creates of the same order id arrive together, and 409 to the others', async () => {
      const orderId = newOrderId();
      const responses = await Promise.all(Array.from({ length: 100 }, () => call(cart.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 2 })));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).to.have.length(1);
      expect(statuses.filter((status) => status === 409)).to.have.length(99);
      const events = await topic.waitForKey(orderId);
      expect(events).to.have.length(1);
    });

    it('lets creates that arrive together share produce calls, each order still answered and published once', async () => {
      const before = await produceCallTotals();
      const orderIds = Array.from({ length: 40 }, () => newOrderId());
      const duplicate = orderIds[0]!;
      const responses = await Promise.all([...orderIds, duplicate].map((orderId) => create({ orderId, numItems: 1 })));
      expect(responses.map((response) => response.status).sort()).to.deep.equal([...orderIds.map(() => 201), 409]);
      for (const orderId of orderIds) expect(await topic.waitForKey(orderId)).to.have.length(1);
      const after = await produceCallTotals();
      expect(after.events - before.events, 'events produced').to.equal(orderIds.length);
      expect(after.calls - before.calls, 'produce calls').to.be.lessThan(orderIds.length);
    });
  });

  describe('when the body breaks a validation rule, it answers 400 naming the field', () => {
    const cases: Array<{ rule: string; change: (body: Record<string, unknown>) => void; field: string }> = [
      { rule: 'an empty orderId', change: (body) => (body.orderId = ''), field: 'orderId' },
      { rule: 'a blank customerId', change: (body) => (body.customerId = '   '), field: 'customerId' },
      { rule: 'an orderDate that is not strict ISO 8601', change: (body) => (body.orderDate = '01/05/2024 12:30'), field: 'orderDate' },
      { rule: 'an orderDate that does not exist on the calendar', change: (body) => (body.orderDate = '2023-02-29T12:00:00Z'), field: 'orderDate' },
      { rule: 'empty items', change: (body) => (body.items = []), field: 'items' },
      { rule: 'a quantity of 0', change: (body) => ((body.items as Array<Record<string, unknown>>)[0]!.quantity = 0), field: 'items[0].quantity' },
      { rule: 'a fractional quantity', change: (body) => ((body.items as Array<Record<string, unknown>>)[0]!.quantity = 1.5), field: 'items[0].quantity' },
      { rule: 'a price of 0', change: (body) => ((body.items as Array<Record<string, unknown>>)[1]!.price = '0.00'), field: 'items[1].price' },
      { rule: 'a negative price', change: (body) => ((body.items as Array<Record<string, unknown>>)[1]!.price = '-20.02'), field: 'items[1].price' },
      { rule: 'a price with more than 2 decimals', change: (body) => ((body.items as Array<Record<string, unknown>>)[1]!.price = '20.015'), field: 'items[1].price' },
      { rule: 'a total that differs from the item sum by one cent', change: (body) => (body.totalAmount = '59.99'), field: 'totalAmount' },
      { rule: 'a total of 0', change: (body) => (body.totalAmount = '0'), field: 'totalAmount' },
      { rule: 'a currency that is three capitals but not ISO 4217', change: (body) => (body.currency = 'ABC'), field: 'currency' },
      { rule: 'an unknown status', change: (body) => (body.status = 'teleported'), field: 'status' },
      { rule: 'a status other than pending for a new order', change: (body) => (body.status = 'shipped'), field: 'status' },
    ];
    for (const { rule, change, field } of cases) {
      it(`${rule} -> 400 naming ${field}, and nothing is published`, async () => {
        const orderId = newOrderId();
        const body = validOrderBody(orderId);
        change(body);
        const response = await create(body);
        expect(response.status).to.equal(400);
        const error = response.body as ErrorBody;
        expect(error.code).to.equal('VALIDATION_FAILED');
        expect(error.errors?.map((fieldError) => fieldError.field)).to.deep.equal([field]);
        expect(await cart.db.knex('cart_orders').where({ order_id: body.orderId }).first()).to.equal(undefined);
      });
    }

    it('a numItems of 0 in the short form -> 400 naming numItems', async () => {
      const response = await create({ orderId: newOrderId(), numItems: 0 });
      expect(response.status).to.equal(400);
      expect((response.body as ErrorBody).errors?.map((error) => error.field)).to.deep.equal(['numItems']);
    });

    it('lists every broken field at once', async () => {
      const body = { ...validOrderBody(newOrderId()), customerId: '', currency: 'XYZ', orderDate: '2024-13-01' };
      const response = await create(body);
      expect(response.status).to.equal(400);
      expect((response.body as ErrorBody).errors?.map((error) => error.field)).to.have.members(['customerId', 'currency', 'orderDate']);
    });
  });

  describe('when the request itself is unacceptable', () => {
    it('malformed JSON -> 400 with the envelope and no stack trace', async () => {
      const response = await create(undefined, { raw: '{"orderId": "ORDER-1", ' });
      expect(response.status).to.equal(400);
      expect((response.body as ErrorBody).code).to.equal('MALFORMED_REQUEST');
      expect(JSON.stringify(response.body)).to.not.match(/at .+\.(ts|js):\d+/);
    });

    it('a body that is not application/json -> 415', async () => {
      const response = await create(undefined, { raw: 'orderId=ORDER-1&numItems=3', contentType: 'application/x-www-form-urlencoded' });
      expect(response.status).to.equal(415);
      expect((response.body as ErrorBody).code).to.equal('UNSUPPORTED_MEDIA_TYPE');
    });

    it('a body larger than HTTP_BODY_LIMIT -> 413', async () => {
      const response = await create({ ...validOrderBody(newOrderId()), padding: 'x'.repeat(200 * 1024) });
      expect(response.status).to.equal(413);
      expect((response.body as ErrorBody).code).to.equal('PAYLOAD_TOO_LARGE');
    });
  });

  describe('when the service restarts', () => {
    it('still answers 409 for an order it created before the restart', async () => {
      const orderId = newOrderId();
      expect((await create({ orderId, numItems: 1 })).status).to.equal(201);
      await cart.stop();
      cart = await startTestCartService({ db: cart.db, config: cart.config });
      const again = await create({ orderId, numItems: 1 });
      expect(again.status).to.equal(409);
      expect((again.body as ErrorBody).message).to.include(orderId);
    });
  });
});
