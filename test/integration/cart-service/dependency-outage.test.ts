import { expect } from 'chai';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';
import { call, expectMatchesOpenApi, startTestCartService, type TestCartService } from './cart-service-harness';
import { freeLoopbackPort } from '../../helpers/ports';
import { startTcpProxy } from '../../helpers/tcp-proxy';
import { createDatabase } from '../../../src/lib/db';
import { CART_DATABASE } from '../../../src/cart-service';

/*
 * Kafka and the registry being down is simulated by pointing the service at a closed port
 * rather than stopping the shared stack's broker, which other suites use concurrently. A
 * stopped broker and a closed port look the same to kafkajs (connection refused). Recovery is
 * shown by the same order id being accepted afterwards over the same database by a service
 * whose Kafka is reachable, which also proves the 503 left nothing behind. A running service
 * riding out a real broker crash and restart is in broker-restart.test.ts.
 */
describe('cart service: when Kafka or the schema registry is unavailable', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let cart: TestCartService | undefined;
  const config = testConfig();

  before(async () => {
    db = await createTestDatabase(CART_DATABASE, config);
  });

  afterEach(async () => {
    await cart?.stop();
    cart = undefined;
  });

  after(async () => {
    await db?.destroy();
  });

  const expectServiceUnavailable = async (orderId: string) => {
    const startedAt = Date.now();
    const response = await call(cart!.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 2 });
    expect(response.status).to.equal(503);
    expect(Date.now() - startedAt, 'the 503 comes within seconds').to.be.below(15_000);
    expect(Number(response.headers.get('retry-after'))).to.be.greaterThan(0);
    expect((response.body as { code: string }).code).to.equal('DEPENDENCY_UNAVAILABLE');
    expectMatchesOpenApi('post', '/api/create-order', response);
    expect(await db.knex('cart_orders').where({ order_id: orderId }).first(), 'no row in PostgreSQL').to.equal(undefined);
  };

  it('Kafka down -> create answers 503 with Retry-After and stores nothing; Kafka back -> the same order is accepted', async () => {
    const orderId = `ORDER-${uniqueSuffix()}`;
    cart = await startTestCartService({ db, config: { ...config, KAFKA_BROKERS: `127.0.0.1:${await freeLoopbackPort()}` } });
    await expectServiceUnavailable(orderId);
    const ready = await call(cart.baseUrl, 'GET', '/ready');
    expect(ready.status).to.equal(503);
    expectMatchesOpenApi('get', '/ready', ready);
    await cart.stop();

    cart = await startTestCartService({ db, config });
    const accepted = await call(cart.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 2 });
    expect(accepted.status).to.equal(201);
  });

  it('registry down -> create answers 503 with Retry-After and stores nothing', async () => {
    const orderId = `ORDER-${uniqueSuffix()}`;
    cart = await startTestCartService({ db, config: { ...config, SCHEMA_REGISTRY_URL: `http://127.0.0.1:${await freeLoopbackPort()}/apis/ccompat/v7` } });
    await expectServiceUnavailable(orderId);
  });

  it('Kafka down -> update answers 503 and keeps the stored status', async () => {
    const orderId = `ORDER-${uniqueSuffix()}`;
    cart = await startTestCartService({ db, config });
    expect((await call(cart.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 1 })).status).to.equal(201);
    await cart.stop();

    cart = await startTestCartService({ db, config: { ...config, KAFKA_BROKERS: `127.0.0.1:${await freeLoopbackPort()}` } });
    const response = await call(cart.baseUrl, 'PUT', '/api/update-order', { orderId, status: 'confirmed' });
    expect(response.status).to.equal(503);
    expect(response.headers.get('retry-after')).to.not.equal(null);
    expectMatchesOpenApi('put', '/api/update-order', response);
    const row = await db.knex('cart_orders').where({ order_id: orderId }).first();
    expect(row.status).to.equal('pending');
  });

  it('registry stopped while the service runs -> writes go on (the schema ids are cached); a service started meanwhile answers 503 and stores nothing', async () => {
    const registry = new URL(config.SCHEMA_REGISTRY_URL);
    const proxy = await startTcpProxy({ host: registry.hostname, port: Number(registry.port) });
    registry.port = String(proxy.port);
    const throughProxy = { ...config, SCHEMA_REGISTRY_URL: registry.toString() };
    try {
      cart = await startTestCartService({ db, config: throughProxy });
      await proxy.close();
      const orderId = `ORDER-${uniqueSuffix()}`;
      expect((await call(cart.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 1 })).status).to.equal(201);
      expect((await call(cart.baseUrl, 'PUT', '/api/update-order', { orderId, status: 'confirmed' })).status).to.equal(200);
      await cart.stop();

      cart = await startTestCartService({ db, config: throughProxy });
      await expectServiceUnavailable(`ORDER-${uniqueSuffix()}`);
    } finally {
      await proxy.close();
    }
  });

  for (const outage of ['Kafka', 'the registry'] as const) {
    it(`${outage} down -> a repeat of an answered request with its Idempotency-Key still gets its first answer; a new one gets 503`, async () => {
      cart = await startTestCartService({ db, config });
      const key = `"${uniqueSuffix()}-${uniqueSuffix()}"`;
      const body = { orderId: `ORDER-${uniqueSuffix()}`, numItems: 2 };
      const post = (service: TestCartService, idempotencyKey: string, payload: unknown) =>
        fetch(`${service.baseUrl}/api/create-order`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify(payload),
        }).then(async (response) => ({ status: response.status, text: await response.text() }));
      const first = await post(cart, key, body);
      expect(first.status).to.equal(201);
      await cart.stop();

      const deadPort = await freeLoopbackPort();
      cart = await startTestCartService({
        db,
        config: outage === 'Kafka' ? { ...config, KAFKA_BROKERS: `127.0.0.1:${deadPort}` } : { ...config, SCHEMA_REGISTRY_URL: `http://127.0.0.1:${deadPort}/apis/ccompat/v7` },
      });
      expect(await post(cart, key, body), 'the first answer, replayed').to.deep.equal(first);
      const other = await post(cart, key, { ...body, numItems: 3 });
      expect(other.status, 'the key with another body').to.equal(422);
      const fresh = await post(cart, `"${uniqueSuffix()}"`, { orderId: `ORDER-${uniqueSuffix()}`, numItems: 1 });
      expect(fresh.status, 'a new write').to.equal(503);
    });
  }

  it('database down -> a repeat with an Idempotency-Key is not told "nothing was stored" of its earlier request: 503 saying it could not be checked', async () => {
    const target = new URL(config.DATABASE_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    target.port = String(proxy.port);
    const knex = createDatabase({ url: target.toString(), database: CART_DATABASE, schema: db.schema, poolMax: 4 });
    try {
      cart = await startTestCartService({ db: { knex, schema: db.schema, destroy: () => knex.destroy() }, config });
      const key = `"${uniqueSuffix()}"`;
      const body = JSON.stringify({ orderId: `ORDER-${uniqueSuffix()}`, numItems: 1 });
      const post = () =>
        fetch(`${cart!.baseUrl}/api/create-order`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body }).then(
          async (response) => ({ status: response.status, body: (await response.json()) as { message: string } }),
        );
      expect((await post()).status).to.equal(201);
      await proxy.close();
      const repeat = await post();
      expect(repeat.status).to.equal(503);
      expect(repeat.body.message).to.match(/could not be checked/);
    } finally {
      await cart?.stop();
      cart = undefined;
      await proxy.close();
      await knex.destroy();
    }
  });
});
