import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Decimal } from '../../../src/domain';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { OPENAPI_DOCUMENT } from '../../../src/order-service/openapi';
import { MAX_TIMELINE_EVENTS } from '../../../src/order-service/order-timeline';
import { createOpenApiChecker, withoutKeyAnswers } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import {
  FAST,
  createEventProducer,
  header,
  orderCreated,
  orderStatus,
  snapshot,
  statusUpdated,
  watchDeadLetters,
} from './order-service-fixtures';

type Producer = Awaited<ReturnType<typeof createEventProducer>>;
type DeadLetters = Awaited<ReturnType<typeof watchDeadLetters>>;

interface Envelope {
  success: boolean;
  code?: string;
  message: string;
  data?: Record<string, unknown>;
}

describe('order service (real Kafka, registry and PostgreSQL)', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  let producer: Producer;
  let deadLetters: DeadLetters;
  let service: RunningOrderService;
  let base: string;

  const contract = createOpenApiChecker(OPENAPI_DOCUMENT);

  /** GETs `path` and checks the answer against the OpenAPI document: status declared, body and Content-Type as declared. */
  async function get(path: string): Promise<{ status: number; body: Envelope; headers: Headers }> {
    const response = await fetch(`${base}${path}`);
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
    const answer = { status: response.status, body: (isJson ? JSON.parse(text) : text) as Envelope, headers: response.headers };
    contract.expectMatchesOpenApi('get', path, answer);
    return answer;
  }

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    producer = await createEventProducer(config);
    deadLetters = await watchDeadLetters(config);
    service = await startOrderService(config, { ...FAST, knex: db.knex, gaugeIntervalMs: 300 });
    base = `http://127.0.0.1:${service.port}`;
  });

  after(async () => {
    await service?.stop();
    await deadLetters?.stop();
    await producer?.close();
    await db?.destroy();
  });

  it('stores instants exactly whatever the process time zone: under TZ=Europe/Amsterdam, an orderDate of 1800-01-01T00:00:00Z is served back as sent', async () => {
    const zone = process.env.TZ;
    // Node rereads TZ when it is assigned; local time in Amsterdam in 1800 was UTC+00:19:32.
    process.env.TZ = 'Europe/Amsterdam';
    try {
      expect(new Date('1800-01-01T00:00:00Z').getTimezoneOffset(), 'the zone is in effect').to.not.equal(0);
      await producer.send([orderCreated('ORD-TZ', { orderDate: new Date('1800-01-01T00:00:00.000Z') })]);
      const { body } = await waitFor(
        async () => {
          const answer = await get('/api/order-details?orderId=ORD-TZ');
          return answer.status === 200 ? answer : undefined;
        },
        { what: 'ORD-TZ to be persisted' },
      );
      expect(body.data?.orderDate).to.equal('1800-01-01T00:00:00.000Z');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('persists an OrderCreated with exact money and shippingCost 2% half-up (10.25 -> 0.21), served by order-details', async () => {
    await producer.send([orderCreated('ORD-APPLY')]);
    const { body } = await waitFor(
      async () => {
        const answer = await get('/api/order-details?orderId=ORD-APPLY');
        return answer.status === 200 ? answer : undefined;
      },
      { what: 'ORD-APPLY to be persisted' },
    );
    expect(body.success).to.equal(true);
    expect(body.data).to.include({ orderId: 'ORD-APPLY', totalAmount: '10.25', shippingCost: '0.21', currency: 'EUR', status: 'pending' });
    expect(body.data?.items).to.deep.equal([
      { itemId: 'SKU-1', quantity: 2, price: '5.00' },
      { itemId: 'SKU-2', quantity: 1, price: '0.25' },
    ]);
    const byPath = await get('/api/orders/ORD-APPLY');
    expect(byPath.status).to.equal(200);
    expect(byPath.body.data).to.deep.equal(body.data);
  });

  it('applies a status update that arrives before its OrderCreated once the order arrives', async () => {
    await producer.send([statusUpdated('ORD-EARLY', 'confirmed', 'pending')]);
    await waitFor(async () => {
      const [row] = (await db.knex('pending_status_updates').where({ order_id: 'ORD-EARLY' }).count({ count: '*' })) as Array<{ count: string }>;
      return Number(row?.count) === 1;
    }, { what: 'the early update to be parked' });
    await producer.send([orderCreated('ORD-EARLY')]);
    await waitFor(async () => (await orderStatus(db.knex, 'ORD-EARLY')) === 'confirmed', { what: 'ORD-EARLY to be confirmed' });
    const pending = (await db.knex('pending_status_updates').where({ order_id: 'ORD-EARLY' })) as unknown[];
    expect(pending).to.have.length(0);
  });

  it('records an illegal transition as rejected and does not apply it', async () => {
    const illegal = statusUpdated('ORD-ILLEGAL', 'delivered', 'pending');
    await producer.send([orderCreated('ORD-ILLEGAL'), illegal, statusUpdated('ORD-ILLEGAL', 'confirmed', 'pending')]);
    await waitFor(async () => (await orderStatus(db.knex, 'ORD-ILLEGAL')) === 'confirmed', { what: 'the legal update after the illegal one' });
    const history = (await db.knex('order_events').where({ event_id: illegal.eventId }).first()) as { outcome: string; reason: string };
    expect(history.outcome).to.equal('rejected');
    expect(history.reason).to.contain("'pending' to 'delivered'");
  });

  it('ignores a duplicate event id: the second copy changes nothing', async () => {
    const confirm = statusUpdated('ORD-DUP', 'confirmed', 'pending');
    await producer.send([orderCreated('ORD-DUP'), confirm]);
    await waitFor(async () => (await orderStatus(db.knex, 'ORD-DUP')) === 'confirmed', { what: 'ORD-DUP confirmed' });
    const before = await snapshot(db.knex);
    // Same event id again, then a marker whose arrival proves the duplicate was consumed.
    await producer.send([confirm, orderCreated('ORD-DUP-MARKER')]);
    await waitFor(async () => (await orderStatus(db.knex, 'ORD-DUP-MARKER')) === 'pending', { what: 'the marker after the duplicate' });
    const after = await snapshot(db.knex);
    expect(after.orders.filter((order) => order.order_id !== 'ORD-DUP-MARKER')).to.deep.equal(before.orders);
    expect(after.events.length).to.equal(before.events.length + 1);
    const metrics = await service.metrics.registry.getSingleMetricAsString('orderflow_events_consumed_total');
    expect(metrics).to.match(/outcome="duplicate"/);
  });

  it('sends each poison kind to the dead-letter topic with its headers and keeps applying later events', async () => {
    const notAvro = Buffer.from('{"orderId":"ORD-JSON"}');
    const unknownSchema = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0x00]), Buffer.from('garbage')]);
    const invalid = orderCreated('ORD-BAD-TOTAL');
    invalid.order.totalAmount = invalid.order.totalAmount.plus('0.01');
    await producer.sendRaw('ORD-JSON', notAvro);
    await producer.sendRaw('ORD-UNKNOWN-SCHEMA', unknownSchema);
    const unknownStatus = orderCreated('ORD-UNKNOWN-STATUS', { status: 'unknown' });
    const unknownCurrency = orderCreated('ORD-BAD-CURRENCY', { currency: 'EURO' });
    await producer.send([invalid, unknownStatus, unknownCurrency, orderCreated('ORD-AFTER-POISON')]);

    await waitFor(async () => (await orderStatus(db.knex, 'ORD-AFTER-POISON')) === 'pending', { what: 'the good event after the poison' });
    await waitFor(() => deadLetters.messages.length >= 5, { what: 'five dead letters' });
    const byKey = new Map(deadLetters.messages.map((message) => [message.key?.toString(), message]));

    const json = byKey.get('ORD-JSON');
    expect(json?.value?.equals(notAvro)).to.equal(true);
    expect(header(json!, 'dlq-error-code')).to.equal('NOT_CONFLUENT_AVRO');
    const unknown = byKey.get('ORD-UNKNOWN-SCHEMA');
    expect(header(unknown!, 'dlq-error-code')).to.equal('UNKNOWN_SCHEMA_ID');
    const business = byKey.get('ORD-BAD-TOTAL');
    expect(header(business!, 'dlq-error-code')).to.equal('BUSINESS_INVALID');
    expect(header(business!, 'dlq-error-message')).to.contain('totalAmount');
    expect(header(business!, 'dlq-event-id')).to.equal(invalid.eventId);
    expect(header(business!, 'dlq-event-type')).to.equal('OrderCreated');
    for (const [key, field] of [['ORD-UNKNOWN-STATUS', 'status'], ['ORD-BAD-CURRENCY', 'currency']] as const) {
      const message = byKey.get(key);
      expect(header(message!, 'dlq-error-code'), key).to.equal('BUSINESS_INVALID');
      expect(header(message!, 'dlq-error-message'), key).to.contain(field);
    }
    for (const message of [json!, unknown!, business!]) {
      expect(header(message, 'dlq-source-topic')).to.equal(config.ORDER_EVENTS_TOPIC);
      expect(header(message, 'dlq-source-partition')).to.match(/^\d+$/);
      expect(header(message, 'dlq-source-offset')).to.match(/^\d+$/);
      expect(header(message, 'dlq-record-id')).to.equal(
        `${header(message, 'dlq-source-topic')}/${header(message, 'dlq-source-partition')}/${header(message, 'dlq-source-offset')}`,
      );
      expect(header(message, 'dlq-error-message')).to.be.a('string').with.length.greaterThan(0);
    }
    expect(await orderStatus(db.knex, 'ORD-BAD-TOTAL')).to.equal(undefined);
  });

  it('changes nothing when a new consumer group re-reads the whole topic (redelivery)', async () => {
    await waitFor(async () => (await orderStatus(db.knex, 'ORD-AFTER-POISON')) === 'pending', { what: 'earlier tests to settle' });
    const before = await snapshot(db.knex);
    const rereader = await startOrderService({ ...config, CONSUMER_GROUP_ID: `${config.CONSUMER_GROUP_ID}-reread` }, { ...FAST, knex: db.knex });
    try {
      const marker = orderCreated('ORD-REREAD-MARKER');
      await producer.send([marker]);
      await waitFor(
        async () => {
          const offsets = (await db.knex('order_events').where({ event_id: marker.eventId })) as unknown[];
          return offsets.length === 1;
        },
        { what: 'the marker' },
      );
      // The re-reading group consumed everything up to the marker; wait until its lag is zero.
      const { kafka } = producer;
      const admin = kafka.admin();
      await admin.connect();
      try {
        await waitFor(
          async () => {
            const ends = await admin.fetchTopicOffsets(config.ORDER_EVENTS_TOPIC);
            const [committed] = await admin.fetchOffsets({ groupId: `${config.CONSUMER_GROUP_ID}-reread`, topics: [config.ORDER_EVENTS_TOPIC] });
            return ends.every((end) => committed?.partitions.find((entry) => entry.partition === end.partition)?.offset === end.high);
          },
          { what: 'the re-reading group to catch up' },
        );
      } finally {
        await admin.disconnect();
      }
    } finally {
      await rereader.stop();
    }
    const after = await snapshot(db.knex);
    expect(after.orders.filter((order) => order.order_id !== 'ORD-REREAD-MARKER')).to.deep.equal(before.orders);
    expect(after.events.length).to.equal(before.events.length + 1);
  });

  describe('query API', () => {
    it('answers 400 without orderId and 404 for an unknown order', async () => {
      const missing = await get('/api/order-details');
      expect(missing.status).to.equal(400);
      expect(missing.body).to.include({ success: false, code: 'VALIDATION_FAILED' });
      expect(missing.body.message).to.contain('orderId');
      const unknown = await get(`/api/order-details?orderId=${randomUUID()}`);
      expect(unknown.status).to.equal(404);
      expect(unknown.body.code).to.equal('NOT_FOUND');
      expect((await get('/api/orders/NOPE-404')).status).to.equal(404);
    });

    it('answers 400 for a blank or too long order id, in the query and in the path', async () => {
      const long = 'X'.repeat(65);
      for (const path of [`/api/order-details?orderId=${long}`, '/api/order-details?orderId=%20', `/api/orders/${long}`, '/api/orders/%20']) {
        const answer = await get(path);
        expect(answer.status, path).to.equal(400);
        expect(answer.body, path).to.include({ success: false, code: 'VALIDATION_FAILED' });
      }
    });

    it('answers 400 naming the parameter for ids with NUL or other control characters (never a 500 from PostgreSQL)', async () => {
      const cases: Array<[string, string]> = [
        ['/api/orders/A%00B', 'orderId'],
        ['/api/order-details?orderId=A%00B', 'orderId'],
        ['/api/order-details?orderId=A%01B', 'orderId'],
        ['/api/order-details?orderId=A%1FB', 'orderId'],
        ['/api/order-details?orderId=A%7FB', 'orderId'],
        ['/api/orders/A%0AB', 'orderId'],
        ['/api/getAllOrderIdsFromTopic?topicName=A%00B', 'topicName'],
        ['/api/getAllOrderIdsFromTopic?topicName=A%7F', 'topicName'],
      ];
      for (const [path, field] of cases) {
        const answer = await get(path);
        expect(answer.status, path).to.equal(400);
        expect(answer.body, path).to.include({ success: false, code: 'VALIDATION_FAILED' });
        expect(answer.body.message, path).to.contain(field);
      }
    });

    it('lists the order ids consumed from a topic, and answers 400 for a missing or invalid topic name', async () => {
      const { status, body } = await get(`/api/getAllOrderIdsFromTopic?topicName=${config.ORDER_EVENTS_TOPIC}`);
      expect(status).to.equal(200);
      expect(body.data?.orderIds).to.include.members(['ORD-APPLY', 'ORD-EARLY', 'ORD-DUP']);
      expect((await get('/api/getAllOrderIdsFromTopic')).status).to.equal(400);
      expect((await get('/api/getAllOrderIdsFromTopic?topicName=bad%20topic!')).status).to.equal(400);
      const other = await get('/api/getAllOrderIdsFromTopic?topicName=some-other-topic');
      expect(other.body.data?.orderIds).to.deep.equal([]);
      expect(other.body.data).to.not.have.property('nextAfter');
    });

    it('pages the order ids of a topic: nextAfter leads through every id once, in order; a bad after or pageSize answers 400', async () => {
      const path = `/api/getAllOrderIdsFromTopic?topicName=${config.ORDER_EVENTS_TOPIC}`;
      const all = (await get(path)).body.data?.orderIds as string[];
      expect(all.length, 'enough orders for several pages').to.be.greaterThan(3);
      const paged: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < all.length; pages += 1) {
        const { status, body } = await get(`${path}&pageSize=2${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`);
        expect(status).to.equal(200);
        paged.push(...(body.data?.orderIds as string[]));
        after = body.data?.nextAfter as string | undefined;
        if (after === undefined) break;
      }
      expect(paged).to.deep.equal(all);
      expect((await get(`${path}&pageSize=0`)).status).to.equal(400);
      expect((await get(`${path}&pageSize=10001`)).status).to.equal(400);
      expect((await get(`${path}&after=`)).status).to.equal(400);
    });

    it('pages and filters orders by status, and answers 400 for bad page values or an unknown status', async () => {
      const page = await get('/api/orders?pageSize=2&page=1');
      expect(page.status).to.equal(200);
      expect(page.body.data?.orders).to.have.length(2);
      expect(page.body.data?.total).to.be.greaterThan(2);
      const confirmed = await get('/api/orders?status=confirmed');
      const statuses = (confirmed.body.data?.orders as Array<{ status: string }>).map((order) => order.status);
      expect(statuses.length).to.be.greaterThan(0);
      expect(new Set(statuses)).to.deep.equal(new Set(['confirmed']));
      for (const bad of ['page=0', 'pageSize=101', 'page=abc', 'status=unknown', 'pageSize=1.5']) {
        const answer = await get(`/api/orders?${bad}`);
        expect(answer.status, bad).to.equal(400);
      }
    });

    it('summarises orders by status and revenue by currency as exact strings', async () => {
      const { status, body } = await get('/api/analytics/summary');
      expect(status).to.equal(200);
      const summary = body.data as { totalOrders: number; ordersByStatus: Record<string, number>; revenueByCurrency: Record<string, string> };
      const total = Object.values(summary.ordersByStatus).reduce((sum, count) => sum + count, 0);
      expect(summary.totalOrders).to.equal(total);
      // Every test order totals 10.25 EUR; none is cancelled.
      expect(summary.revenueByCurrency.EUR).to.equal((10.25 * total).toFixed(2));
    });

    it("lists an order's timeline in offset order: applied and refused events with topic, partition, offset and reason; parked ones too", async () => {
      await producer.send([orderCreated('ORD-TIMELINE'), statusUpdated('ORD-TIMELINE', 'confirmed', 'pending'), statusUpdated('ORD-TIMELINE', 'delivered', 'confirmed')]);
      await producer.send([statusUpdated('ORD-TIMELINE-EARLY', 'confirmed', 'pending')]);
      const timeline = await waitFor(
        async () => {
          const answer = await get('/api/orders/ORD-TIMELINE/events');
          return answer.status === 200 && (answer.body.data?.events as unknown[]).length === 3 ? answer : undefined;
        },
        { what: 'three events of ORD-TIMELINE' },
      );
      const events = timeline.body.data?.events as Array<{ eventType: string; status: string; outcome: string; reason: string | null; topic: string; partition: number; offset: string }>;
      expect(events.map((event) => `${event.eventType}:${event.status}:${event.outcome}`)).to.deep.equal([
        'OrderCreated:pending:applied',
        'OrderStatusUpdated:confirmed:applied',
        'OrderStatusUpdated:delivered:rejected',
      ]);
      expect(events[2]?.reason).to.contain("'confirmed' to 'delivered'");
      expect(new Set(events.map((event) => `${event.topic}/${event.partition}`)).size, 'one partition').to.equal(1);
      const offsets = events.map((event) => BigInt(event.offset));
      expect(offsets[0]! < offsets[1]! && offsets[1]! < offsets[2]!, `offsets ${offsets.join(', ')} increase`).to.equal(true);
      expect(timeline.body.data?.truncated).to.equal(false);

      const early = await waitFor(
        async () => {
          const answer = await get('/api/orders/ORD-TIMELINE-EARLY/events');
          return answer.status === 200 ? answer : undefined;
        },
        { what: 'the parked update of ORD-TIMELINE-EARLY' },
      );
      expect((early.body.data?.events as Array<{ outcome: string }>).map((event) => event.outcome)).to.deep.equal(['parked']);
      expect((await get('/api/orders/ORD-NEVER-SEEN/events')).status).to.equal(404);
      expect((await get('/api/orders/%20/events')).status).to.equal(400);
    });

    it(`lists the first ${MAX_TIMELINE_EVENTS} events of a timeline and says it is truncated when there are more (an order refused over and over)`, async () => {
      const refusals = (count: number) => Array.from({ length: count }, () => statusUpdated('ORD-TIMELINE-LONG', 'delivered', 'pending'));
      // The order and MAX_TIMELINE_EVENTS - 1 refused moves: exactly the limit, not truncated.
      await producer.send([orderCreated('ORD-TIMELINE-LONG'), ...refusals(MAX_TIMELINE_EVENTS - 1)]);
      const timelineOf = async (length: number) =>
        waitFor(
          async () => {
            const answer = await get('/api/orders/ORD-TIMELINE-LONG/events');
            const data = answer.body.data as { events: Array<{ outcome: string }>; truncated: boolean } | undefined;
            return answer.status === 200 && data?.events.length === length ? { data, message: answer.body.message } : undefined;
          },
          { what: `${length} events of ORD-TIMELINE-LONG`, timeoutMs: 30_000 },
        );
      expect((await timelineOf(MAX_TIMELINE_EVENTS)).data.truncated).to.equal(false);
      await producer.send(refusals(1));
      const rejectedCount = async () =>
        Number(((await db.knex.raw(`SELECT count(*) AS n FROM order_events WHERE order_id = 'ORD-TIMELINE-LONG'`)) as { rows: Array<{ n: string }> }).rows[0]?.n);
      await waitFor(async () => (await rejectedCount()) === MAX_TIMELINE_EVENTS + 1, { what: 'the last refusal recorded' });
      const truncated = await timelineOf(MAX_TIMELINE_EVENTS);
      expect(truncated.data.truncated).to.equal(true);
      expect(truncated.message).to.contain('the first ones only');
      expect(truncated.data.events[0]?.outcome).to.equal('applied');
    });

    it('counts the orders placed in each minute of a window, empty minutes as 0, and refuses a bad window with 400', async () => {
      await producer.send([
        orderCreated('ORD-MINUTE-1', { orderDate: new Date('2020-01-01T10:00:05.000Z') }),
        orderCreated('ORD-MINUTE-2', { orderDate: new Date('2020-01-01T10:00:59.999Z') }),
        orderCreated('ORD-MINUTE-3', { orderDate: new Date('2020-01-01T10:02:00.000Z') }),
      ]);
      const window = 'from=2020-01-01T10:00:30Z&to=2020-01-01T10:02:30Z';
      const counted = await waitFor(
        async () => {
          const answer = await get(`/api/analytics/orders-per-minute?${window}`);
          const minutes = answer.body.data?.minutes as Array<{ orders: number }> | undefined;
          return minutes?.reduce((sum, minute) => sum + minute.orders, 0) === 3 ? answer : undefined;
        },
        { what: 'the three orders of 2020-01-01 to be counted' },
      );
      // from rounds down and to rounds up to whole minutes.
      expect(counted.body.data).to.deep.equal({
        from: '2020-01-01T10:00:00.000Z',
        to: '2020-01-01T10:03:00.000Z',
        minutes: [
          { minute: '2020-01-01T10:00:00.000Z', orders: 2 },
          { minute: '2020-01-01T10:01:00.000Z', orders: 0 },
          { minute: '2020-01-01T10:02:00.000Z', orders: 1 },
        ],
      });
      const lastHour = await get('/api/analytics/orders-per-minute');
      expect(lastHour.status).to.equal(200);
      expect(lastHour.body.data?.minutes).to.have.length(60);
      // Only `to`: the hour up to its minute; only `from`: up to now, so a day ago is too far.
      const hourBefore = await get('/api/analytics/orders-per-minute?to=2020-01-01T10:02:30Z');
      expect(hourBefore.body.data).to.include({ from: '2020-01-01T09:03:00.000Z', to: '2020-01-01T10:03:00.000Z' });
      expect((hourBefore.body.data?.minutes as Array<{ orders: number }>).reduce((sum, minute) => sum + minute.orders, 0)).to.equal(3);
      const sinceFrom = new Date(Date.now() - 10 * 60_000).toISOString();
      expect(((await get(`/api/analytics/orders-per-minute?from=${sinceFrom}`)).body.data?.minutes as unknown[]).length).to.be.within(10, 12);
      expect((await get('/api/analytics/orders-per-minute?from=2020-01-01T00:00:00Z')).status, 'from alone, years ago').to.equal(400);
      // A day not on minute boundaries touches 1441 minutes, all listed.
      const day = await get('/api/analytics/orders-per-minute?from=2020-01-01T00:00:30Z&to=2020-01-02T00:00:30Z');
      expect(day.status).to.equal(200);
      expect(day.body.data?.minutes).to.have.length(1441);
      for (const bad of ['from=yesterday', 'to=2020-01-01T10:00:00Z&from=2020-01-01T10:00:00Z', 'from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:01Z']) {
        expect((await get(`/api/analytics/orders-per-minute?${bad}`)).status, bad).to.equal(400);
      }
    });

    it('ranks the items sold in most units with their exact revenue per currency, leaving cancelled orders out', async () => {
      const item = `TOP-${randomUUID().slice(0, 8)}`;
      const lines = (quantity: number) => [{ itemId: item, quantity, price: new Decimal('1.10') }];
      await producer.send([
        orderCreated('ORD-TOP-EUR', { items: lines(500), currency: 'EUR' }),
        orderCreated('ORD-TOP-USD', { items: lines(400), currency: 'USD' }),
        orderCreated('ORD-TOP-CANCELLED', { items: lines(9_000), currency: 'EUR' }),
        statusUpdated('ORD-TOP-CANCELLED', 'cancelled', 'pending'),
      ]);
      const top = await waitFor(
        async () => {
          const answer = await get('/api/analytics/top-products?limit=1');
          const products = answer.body.data?.products as Array<{ itemId: string; unitsSold: number }> | undefined;
          return products?.[0]?.itemId === item && products[0].unitsSold === 900 ? answer : undefined;
        },
        { what: `${item} at the top, its cancelled order left out` },
      );
      expect(top.body.data?.products).to.deep.equal([{ itemId: item, unitsSold: 900, orders: 2, revenueByCurrency: { EUR: '550.00', USD: '440.00' } }]);
      const defaults = await get('/api/analytics/top-products');
      expect((defaults.body.data?.products as unknown[]).length).to.be.within(1, 10);
      for (const bad of ['limit=0', 'limit=101', 'limit=ten']) expect((await get(`/api/analytics/top-products?${bad}`)).status, bad).to.equal(400);
    });

    it('serves /health, /ready, /metrics and the OpenAPI document', async () => {
      expect((await get('/health')).status).to.equal(200);
      const ready = await get('/ready');
      expect(ready.status).to.equal(200);
      expect(ready.body.data).to.deep.equal({ kafka: 'up', registry: 'up', database: 'up', auth: 'open' });
      const metrics = await get('/metrics');
      expect(metrics.headers.get('content-type')).to.match(/^text\/plain/);
      expect(metrics.body).to.contain('orderflow_events_consumed_total');
      // Lag per partition and the order gauges refresh in the background.
      const gauges = await waitFor(
        async () => {
          const text = await (await fetch(`${base}/metrics`)).text();
          return /orderflow_consumer_lag_messages\{[^}]*partition="0"/.test(text) && /orderflow_orders\{[^}]*status="confirmed"/.test(text) ? text : undefined;
        },
        { what: 'lag and order gauges' },
      );
      expect(gauges).to.match(/orderflow_revenue\{[^}]*currency="EUR"/);
      const doc = (await (await fetch(`${base}/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(doc.paths).to.have.property('/api/order-details');
      expect((await fetch(`${base}/docs/`)).status).to.equal(200);
    });

    it('lists the schema subjects of its topic with versions and compatibility, and the consumer lag of each partition', async () => {
      const schemas = await get('/api/schemas');
      expect(schemas.status).to.equal(200);
      const subjects = (schemas.body.data as { subjects: Array<{ subject: string; eventType: string; compatibility: string | null; versions: Array<{ version: number; id: number }> }> }).subjects;
      expect(subjects.map((subject) => subject.eventType)).to.deep.equal(['OrderCreated', 'OrderStatusUpdated']);
      for (const subject of subjects) {
        expect(subject.subject).to.equal(`${config.ORDER_EVENTS_TOPIC}-io.orderflow.events.${subject.eventType}`);
        expect(subject.versions.length, subject.subject).to.be.greaterThan(0);
        expect(subject.versions.every((version) => Number.isInteger(version.id))).to.equal(true);
        expect(subject.compatibility).to.be.a('string');
      }

      await waitFor(async () => ((await get('/api/consumer-lag')).body.data as { total: number }).total === 0, { what: 'no lag once everything is applied' });
      const lag = (await get('/api/consumer-lag')).body.data as { groupId: string; partitions: Array<{ partition: number; committedOffset: string | null; endOffset: string; lag: number }> };
      expect(lag.groupId).to.equal(config.CONSUMER_GROUP_ID);
      expect(lag.partitions.map((partition) => partition.partition)).to.deep.equal([0, 1, 2]);
      const ends = await producer.kafka.admin();
      await ends.connect();
      try {
        const offsets = await ends.fetchTopicOffsets(config.ORDER_EVENTS_TOPIC);
        const [committed] = await ends.fetchOffsets({ groupId: config.CONSUMER_GROUP_ID, topics: [config.ORDER_EVENTS_TOPIC] });
        for (const partition of lag.partitions) {
          const end = offsets.find((offset) => offset.partition === partition.partition)?.high;
          expect(partition.endOffset).to.equal(end);
          // No lag: the group has committed up to the end, as Kafka itself reports it.
          expect(partition.committedOffset).to.equal(committed?.partitions.find((offset) => offset.partition === partition.partition)?.offset);
          expect(partition.committedOffset).to.equal(end);
        }
      } finally {
        await ends.disconnect();
      }
    });

    it('has checked every response the OpenAPI document declares (503s in the outage tests, the dead-letter API in its own file)', () => {
      expect(withoutKeyAnswers(contract.coverage().unchecked).filter((response) => !response.includes(' /api/dlq'))).to.deep.equal(['GET /api/schemas 503', 'GET /api/consumer-lag 503', 'GET /ready 503']);
    });
  });
});
