import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Config } from '../../../src/config';
import { CART_DATABASE, OPENAPI_DOCUMENT as CART_DOCUMENT, startCartService, type RunningCartService } from '../../../src/cart-service';
import { INVENTORY_DATABASE, OPENAPI_DOCUMENT as INVENTORY_DOCUMENT, startInventoryService, type RunningInventoryService } from '../../../src/inventory-service';
import { NOTIFICATION_DATABASE, OPENAPI_DOCUMENT as NOTIFICATION_DOCUMENT, startNotificationService, type RunningNotificationService } from '../../../src/notification-service';
import { ORDER_DATABASE, startOrderService, type RunningOrderService } from '../../../src/order-service';
import { OPENAPI_DOCUMENT as ORDER_DOCUMENT } from '../../../src/order-service/openapi';
import { bearer, createAccessSchema, type TestAccessSchema, type TestKey } from '../../helpers/access';
import { createOpenApiChecker, type OpenApiChecker } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';

const FAST = { port: 0, retry: { initialMs: 100, maxMs: 1_000 } } as const;

interface Reply {
  status: number;
  headers: Headers;
  body: { success?: boolean; code?: string; message?: string; data?: Record<string, unknown> } | string;
}

/** A service under test: where it listens, and the OpenAPI document its answers are checked against. */
interface Target {
  name: string;
  port: () => number;
  contract: OpenApiChecker;
}

async function call(target: Target, method: string, path: string, { key, headers = {}, json }: { key?: string; headers?: Record<string, string>; json?: unknown } = {}): Promise<Reply> {
  const response = await fetch(`http://127.0.0.1:${target.port()}${path}`, {
    method,
    headers: { ...bearer(key), ...headers, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  const body = (response.headers.get('content-type') ?? '').includes('application/json') ? (JSON.parse(text) as Reply['body']) : text;
  const reply = { status: response.status, headers: response.headers, body };
  if (target.contract.hasOperation(method, path)) target.contract.expectMatchesOpenApi(method, path, reply);
  return reply;
}

const codeOf = (reply: Reply) => (typeof reply.body === 'string' ? undefined : reply.body.code);

/** A logger whose lines the test can read. */
function capturedLogger(): { logger: pino.Logger; lines: () => string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info', formatters: { level: (label) => ({ level: label }) } }, sink), lines: () => lines };
}

describe('API keys on the four services (real PostgreSQL, Kafka and registry)', function () {
  this.timeout(180_000);

  describe('open mode, then a key created while the service runs', () => {
    let access: TestAccessSchema;
    let db: TestDatabase;
    let service: RunningNotificationService;
    const log = capturedLogger();
    const target: Target = { name: 'notification', port: () => service.port, contract: createOpenApiChecker(NOTIFICATION_DOCUMENT) };

    before(async () => {
      access = await createAccessSchema();
      const config = testConfig({ ACCESS_DB_SCHEMA: access.schema });
      db = await createTestDatabase(NOTIFICATION_DATABASE, config);
      service = await startNotificationService(config, { ...FAST, knex: db.knex, logger: log.logger });
    });
    after(async () => {
      await service?.stop();
      await db?.destroy();
      await access?.destroy();
    });

    it('warns at start that the API is open and says how to create a key', () => {
      const warning = log.lines().map((line) => JSON.parse(line) as { level: string; msg: string }).find((line) => line.msg.includes('authentication is OFF'));
      expect(warning?.level).to.equal('warn');
      expect(warning?.msg).to.contain('npm run apikey:create -- --role writer');
    });

    it('reports auth "open" on /ready and answers without a key, with an empty Bearer (Postman with no apiKey), or with any header at all', async () => {
      const ready = await call(target, 'GET', '/ready');
      expect(ready.status).to.equal(200);
      expect((ready.body as { data: Record<string, unknown> }).data.auth).to.equal('open');
      expect((await call(target, 'GET', '/api/notifications')).status).to.equal(200);
      expect((await call(target, 'GET', '/api/notifications', { headers: { authorization: 'Bearer ' } })).status).to.equal(200);
      expect((await call(target, 'GET', '/api/notifications', { headers: { authorization: 'Basic eDp5' } })).status).to.equal(200);
    });

    it('turns authentication on within the refresh interval once a key is created, and logs it', async () => {
      const reader = await access.createKey('reader');
      await waitFor(async () => ((await call(target, 'GET', '/ready')).body as { data: Record<string, unknown> }).data.auth === 'keys', { what: '/ready saying auth: keys' });
      const refused = await call(target, 'GET', '/api/notifications');
      expect(refused.status).to.equal(401);
      expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="orderflow"');
      expect((await call(target, 'GET', '/api/notifications', { key: reader.key })).status).to.equal(200);
      expect(log.lines().some((line) => line.includes('API keys exist'))).to.equal(true);
    });
  });

  describe('with keys: each role on each service', () => {
    let access: TestAccessSchema;
    let config: Config;
    const dbs: TestDatabase[] = [];
    let cart: RunningCartService;
    let orders: RunningOrderService;
    let inventory: RunningInventoryService;
    let notifications: RunningNotificationService;
    let keys: Record<'reader' | 'writer' | 'admin', TestKey>;
    const cartTarget: Target = { name: 'cart', port: () => cart.port, contract: createOpenApiChecker(CART_DOCUMENT) };
    const orderTarget: Target = { name: 'order', port: () => orders.port, contract: createOpenApiChecker(ORDER_DOCUMENT) };
    const inventoryTarget: Target = { name: 'inventory', port: () => inventory.port, contract: createOpenApiChecker(INVENTORY_DOCUMENT) };
    const notificationTarget: Target = { name: 'notification', port: () => notifications.port, contract: createOpenApiChecker(NOTIFICATION_DOCUMENT) };

    before(async () => {
      access = await createAccessSchema();
      keys = { reader: await access.createKey('reader', 'dashboards'), writer: await access.createKey('writer', 'shop'), admin: await access.createKey('admin', 'ops') };
      config = testConfig({ ACCESS_DB_SCHEMA: access.schema });
      const database = async (service: Parameters<typeof createTestDatabase>[0]) => {
        const db = await createTestDatabase(service, config);
        dbs.push(db);
        return db.knex;
      };
      cart = await startCartService(config, { port: 0, knex: await database(CART_DATABASE) });
      orders = await startOrderService(config, { ...FAST, gaugeIntervalMs: 0, knex: await database(ORDER_DATABASE) });
      inventory = await startInventoryService(config, { ...FAST, knex: await database(INVENTORY_DATABASE) });
      notifications = await startNotificationService(config, { ...FAST, knex: await database(NOTIFICATION_DATABASE) });
    });
    after(async () => {
      await cart?.stop();
      await orders?.stop();
      await inventory?.stop();
      await notifications?.stop();
      for (const db of dbs) await db.destroy();
      await access?.destroy();
    });

    it('reports auth "keys" on /ready, and leaves /health, /ready, /metrics and /docs open on every service', async () => {
      for (const target of [cartTarget, orderTarget, inventoryTarget, notificationTarget]) {
        const ready = await call(target, 'GET', '/ready');
        expect(ready.status, target.name).to.equal(200);
        expect((ready.body as { data: Record<string, unknown> }).data.auth, target.name).to.equal('keys');
        expect((await call(target, 'GET', '/health')).status, target.name).to.equal(200);
        expect((await call(target, 'GET', '/metrics')).status, target.name).to.equal(200);
        expect((await call(target, 'GET', '/docs/openapi.json')).status, target.name).to.equal(200);
      }
    });

    it('answers 401 with WWW-Authenticate for no key, another scheme, a malformed key, an unknown key and a wrong secret, never echoing the key', async () => {
      const wrongSecret = `of_${keys.admin.id}_${'A'.repeat(43)}`;
      const cases: Array<[string, Record<string, string>]> = [
        ['no key', {}],
        ['another scheme', { authorization: `Basic ${Buffer.from(`x:${keys.admin.key}`).toString('base64')}` }],
        ['a malformed key', { authorization: 'Bearer not-a-key' }],
        ['an unknown key', { authorization: `Bearer of_0123456789abcdef_${'B'.repeat(43)}` }],
        ['a wrong secret', { authorization: `Bearer ${wrongSecret}` }],
      ];
      for (const target of [cartTarget, orderTarget, inventoryTarget, notificationTarget]) {
        for (const [what, headers] of cases) {
          const path = target === cartTarget ? '/api/orders/ANY' : target === orderTarget ? '/api/orders' : target === inventoryTarget ? '/api/inventory' : '/api/notifications';
          const reply = await call(target, 'GET', path, { headers });
          expect(reply.status, `${target.name}, ${what}`).to.equal(401);
          expect(codeOf(reply)).to.equal('UNAUTHORIZED');
          expect(reply.headers.get('www-authenticate'), `${target.name}, ${what}`).to.match(/^Bearer realm="orderflow"/);
          expect(JSON.stringify(reply.body)).to.not.contain('A'.repeat(43)).and.not.contain(keys.admin.secret);
        }
      }
    });

    it('cart: a writer (and an admin) creates and updates orders, a reader reads them but may not write', async () => {
      const order = { orderId: 'AUTH-1', numItems: 1 };
      const byReader = await call(cartTarget, 'POST', '/api/create-order', { key: keys.reader.key, json: order });
      expect(byReader.status).to.equal(403);
      expect(codeOf(byReader)).to.equal('FORBIDDEN');
      expect((byReader.body as { message: string }).message).to.contain('writer').and.contain('reader');
      expect((await call(cartTarget, 'POST', '/api/create-order', { json: order })).status).to.equal(401);
      expect((await call(cartTarget, 'POST', '/api/create-order', { key: keys.writer.key, json: order })).status).to.equal(201);
      expect((await call(cartTarget, 'POST', '/api/create-order', { key: keys.admin.key, json: { orderId: 'AUTH-2', numItems: 1 } })).status).to.equal(201);
      expect((await call(cartTarget, 'PUT', '/api/update-order', { key: keys.reader.key, json: { orderId: 'AUTH-1', status: 'confirmed' } })).status).to.equal(403);
      expect((await call(cartTarget, 'PUT', '/api/update-order', { key: keys.writer.key, json: { orderId: 'AUTH-1', status: 'confirmed' } })).status).to.equal(200);
      expect((await call(cartTarget, 'POST', '/create-order', { key: keys.reader.key, json: { orderId: '77', numberOfItems: 1 } })).status).to.equal(403);
      expect((await call(cartTarget, 'GET', '/api/orders/AUTH-1', { key: keys.reader.key })).status).to.equal(200);
    });

    it('order service: a reader reads orders, timelines and analytics; only an admin reaches the dead letters, schemas and consumer lag; the console page is open', async () => {
      await waitFor(async () => (await call(orderTarget, 'GET', '/api/orders/AUTH-1', { key: keys.reader.key })).status === 200, { what: 'AUTH-1 consumed' });
      for (const path of ['/api/orders', '/api/orders/AUTH-1/events', '/api/order-details?orderId=AUTH-1', '/api/analytics/summary', '/api/analytics/top-products', `/api/getAllOrderIdsFromTopic?topicName=${config.ORDER_EVENTS_TOPIC}`, '/orders']) {
        expect((await call(orderTarget, 'GET', path, { key: keys.reader.key })).status, path).to.equal(200);
        expect((await call(orderTarget, 'GET', path)).status, path).to.equal(401);
      }
      for (const path of ['/api/dlq', '/api/schemas', '/api/consumer-lag']) {
        for (const role of ['reader', 'writer'] as const) {
          const reply = await call(orderTarget, 'GET', path, { key: keys[role].key });
          expect(reply.status, `${path} as ${role}`).to.equal(403);
          expect((reply.body as { message: string }).message).to.contain('admin');
        }
        expect((await call(orderTarget, 'GET', path, { key: keys.admin.key })).status, path).to.equal(200);
      }
      const replay = await call(orderTarget, 'POST', `/api/dlq/${encodeURIComponent(`${config.ORDER_EVENTS_TOPIC}/0/0`)}/replay`, { key: keys.writer.key, json: { operator: 'mallory' } });
      expect(replay.status).to.equal(403);
      // Express routes /API/DLQ to /api/dlq: another case must not pass the admin rule by.
      const shouted = await call(orderTarget, 'POST', `/API/DLQ/${encodeURIComponent(`${config.ORDER_EVENTS_TOPIC}/0/0`)}/REPLAY`, { key: keys.writer.key, json: { operator: 'mallory' } });
      expect(shouted.status, 'POST /API/DLQ/…/REPLAY as a writer').to.equal(403);
      expect((await call(orderTarget, 'GET', '/Api/Dlq', { key: keys.reader.key })).status, 'GET /Api/Dlq as a reader').to.equal(403);
      const page = await call(orderTarget, 'GET', '/console/');
      expect(page.status).to.equal(200);
      expect(page.body).to.contain('Orderflow console');
    });

    it('inventory: a writer sets stock, a reader reads it and reservations but may not set it', async () => {
      expect((await call(inventoryTarget, 'PUT', '/api/inventory/ITEM-AUTH', { key: keys.reader.key, json: { available: 5 } })).status).to.equal(403);
      expect((await call(inventoryTarget, 'PUT', '/api/inventory/ITEM-AUTH', { key: keys.writer.key, json: { available: 5 } })).status).to.equal(200);
      expect((await call(inventoryTarget, 'GET', '/api/inventory/ITEM-AUTH', { key: keys.reader.key })).status).to.equal(200);
      expect((await call(inventoryTarget, 'GET', '/api/inventory', { key: keys.reader.key })).status).to.equal(200);
      expect((await call(inventoryTarget, 'GET', '/api/reservations/NONE', { key: keys.reader.key })).status).to.equal(404);
    });

    it('notifications: a reader reads them', async () => {
      expect((await call(notificationTarget, 'GET', '/api/notifications?orderId=AUTH-1', { key: keys.reader.key })).status).to.equal(200);
    });

    it('a bad body from a valid key is still a 400, never a 500; an unauthenticated bad body is a 401 (the body is not read)', async () => {
      const bad = await fetch(`http://127.0.0.1:${cart.port}/api/create-order`, { method: 'POST', headers: { ...bearer(keys.writer.key), 'content-type': 'application/json' }, body: '{"orderId":' });
      expect(bad.status).to.equal(400);
      const anonymous = await fetch(`http://127.0.0.1:${cart.port}/api/create-order`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
      expect(anonymous.status).to.equal(401);
    });

    it('refuses a revoked key within the refresh interval, on every service', async () => {
      const doomed = await access.createKey('admin', 'leaver');
      await waitFor(async () => (await call(notificationTarget, 'GET', '/api/notifications', { key: doomed.key })).status === 200, { what: 'the new key accepted' });
      await access.revoke(doomed.id);
      for (const [target, path] of [[cartTarget, '/api/orders/AUTH-1'], [orderTarget, '/api/orders'], [inventoryTarget, '/api/inventory'], [notificationTarget, '/api/notifications']] as const) {
        await waitFor(async () => (await call(target, 'GET', path, { key: doomed.key })).status === 401, { timeoutMs: 5_000, what: `${target.name} refusing the revoked key` });
      }
    });
  });

  describe('rate limit', () => {
    let access: TestAccessSchema;
    let db: TestDatabase;
    let service: RunningInventoryService;
    let key: TestKey;
    let other: TestKey;
    const target: Target = { name: 'inventory', port: () => service.port, contract: createOpenApiChecker(INVENTORY_DOCUMENT) };
    /** A key of the right form that no one created: checked in full (an argon2 verification) and refused. */
    const madeUpKey = () => `of_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;

    before(async () => {
      access = await createAccessSchema();
      key = await access.createKey('reader');
      other = await access.createKey('reader');
      const config = testConfig({ ACCESS_DB_SCHEMA: access.schema, API_RATE_LIMIT_PER_SECOND: '5', API_RATE_LIMIT_BURST: '0', API_REFUSED_KEYS_PER_MINUTE: '3' });
      db = await createTestDatabase(INVENTORY_DATABASE, config);
      service = await startInventoryService(config, { ...FAST, knex: db.knex });
    });
    after(async () => {
      await service?.stop();
      await db?.destroy();
      await access?.destroy();
    });

    it('answers 429 with Retry-After in seconds past the per-key rate, and lets another key through meanwhile', async () => {
      const replies = await Promise.all(Array.from({ length: 12 }, () => call(target, 'GET', '/api/inventory', { key: key.key })));
      const limited = replies.filter((reply) => reply.status === 429);
      expect(replies.filter((reply) => reply.status === 200).length).to.be.at.most(5 + 1);
      expect(limited.length).to.be.at.least(6);
      for (const reply of limited) {
        expect(codeOf(reply)).to.equal('RATE_LIMITED');
        expect(Number(reply.headers.get('retry-after'))).to.be.at.least(1);
      }
      // Straight after, within the same second: the limit is the flooding key's own.
      const [mine, theirs] = await Promise.all([call(target, 'GET', '/api/inventory', { key: key.key }), call(target, 'GET', '/api/inventory', { key: other.key })]);
      expect(mine.status, 'the flooding key, still limited').to.equal(429);
      expect(theirs.status, 'another key, served meanwhile').to.equal(200);
    });

    it('answers 429 with Retry-After, before checking the key, once a client presented API_REFUSED_KEYS_PER_MINUTE refused keys', async () => {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const refused = await call(target, 'GET', '/api/inventory', { key: madeUpKey() });
        expect(refused.status, `made-up key ${attempt}`).to.equal(401);
      }
      const limited = await call(target, 'GET', '/api/inventory', { key: madeUpKey() });
      expect(limited.status).to.equal(429);
      expect(codeOf(limited)).to.equal('RATE_LIMITED');
      expect((limited.body as { message: string }).message).to.contain('refused API keys');
      expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60);
    });
  });
});
