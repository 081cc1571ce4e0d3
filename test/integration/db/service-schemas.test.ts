import { expect } from 'chai';
import { CART_DATABASE, startCartService, type RunningCartService } from '../../../src/cart-service';
import type { Config } from '../../../src/config';
import { createDatabase, migrateToLatest, type Knex } from '../../../src/lib/db';
import { ORDER_DATABASE, startOrderService, type RunningOrderService } from '../../../src/order-service';
import { testConfig, uniqueSuffix } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST } from '../order-service/order-service-fixtures';

interface Reply {
  status: number;
  body: { data?: { status?: string; orderId?: string } };
}

async function call(url: string, method = 'GET', json?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(url, {
    method,
    headers: json === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

/** The migrations of before the split, the only ones a database of that time can have run. */
const PRE_SPLIT_MIGRATIONS = [
  '20261121000100_create_cart_orders.ts',
  '20261121000200_create_order_service_tables.ts',
  '20261121000300_add_order_to_cart_orders.ts',
  '20261201000100_create_cart_outbox.ts',
  '20261201000200_create_cart_outbox_parked.ts',
  '20261202000100_index_order_event_retention.ts',
  '20261202000200_index_orders_by_order_date.ts',
  '20261202000300_create_dead_letters.ts',
];

async function tablesOf(knex: Knex, schema: string): Promise<string[]> {
  return ((await knex('information_schema.tables').where({ table_schema: schema }).orderBy('table_name').pluck('table_name')) as string[]).filter(
    (table) => !table.startsWith('knex_migrations'),
  );
}

describe('database per service: each service migrates and works in a schema of its own', function () {
  this.timeout(120_000);
  const suffix = uniqueSuffix();
  let config: Config;
  let admin: Knex;
  const pools: Knex[] = [];
  const schemasMade = new Set<string>();
  let cart: RunningCartService | undefined;
  let orders: RunningOrderService | undefined;

  /** A pool in one schema; the services are given theirs, so each sees only its own tables. */
  function pool(schema: string, database = CART_DATABASE): Knex {
    schemasMade.add(schema);
    const knex = createDatabase({ url: config.DATABASE_URL, database, schema, poolMax: 10, applicationName: schema });
    pools.push(knex);
    return knex;
  }

  async function stopServices(): Promise<void> {
    await orders?.stop();
    await cart?.stop();
    orders = undefined;
    cart = undefined;
  }

  before(() => {
    config = { ...testConfig(), CART_SERVICE_PORT: 0 };
    admin = createDatabase({ url: config.DATABASE_URL, poolMax: 2 });
  });
  after(async () => {
    await stopServices();
    for (const knex of pools) await knex.destroy();
    for (const schema of schemasMade) await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await admin.destroy();
  });

  it('upgrades a database of before the split in place: the orders, the Idempotency-Key answers and the outbox trigger move with their tables', async () => {
    const schemas = { shared: `test_presplit_${suffix}`, cart: `test_cart_${suffix}`, order: `test_order_${suffix}` };
    // The layout of before: both services' migrations in one schema with one ledger.
    await admin.raw('CREATE SCHEMA ??', [schemas.shared]);
    const shared = pool(schemas.shared);
    for (const name of PRE_SPLIT_MIGRATIONS) await shared.migrate.up({ directory: [CART_DATABASE.migrationsDir, ORDER_DATABASE.migrationsDir], name });

    const orderId = `UPGRADE-${suffix}`;
    const key = `"upgrade-${suffix}"`;
    cart = await startCartService(config, { knex: shared });
    orders = await startOrderService(config, { ...FAST, knex: shared });
    const created = await call(`http://127.0.0.1:${cart.port}/api/create-order`, 'POST', { orderId, numItems: 2 }, { 'idempotency-key': key });
    expect(created.status, 'created before the upgrade').to.equal(201);
    // Read in the table itself: today's query API also reads tables a database of that time did not have.
    await waitFor(async () => (await admin.withSchema(schemas.shared).table('orders').where({ order_id: orderId }).first()) !== undefined, { what: 'the order consumed' });
    await stopServices();

    const cartReport = await migrateToLatest(pool(schemas.cart), CART_DATABASE, { schema: schemas.cart, adoptFrom: schemas.shared });
    const orderReport = await migrateToLatest(pool(schemas.order, ORDER_DATABASE), ORDER_DATABASE, { schema: schemas.order, adoptFrom: schemas.shared });
    expect(cartReport).to.deep.equal({ adoptedTables: ['cart_orders', 'cart_outbox', 'cart_outbox_parked', 'cart_idempotency_keys'], applied: [] });
    expect(orderReport, 'moved, then brought up to date').to.deep.equal({
      adoptedTables: ['orders', 'order_items', 'order_events', 'pending_status_updates', 'dead_letters'],
      applied: ['20261203000100_create_order_stock.ts'],
    });
    expect(await tablesOf(admin, schemas.shared), 'nothing left behind').to.deep.equal([]);
    // Kept, so an old instance started by mistake fails on the missing tables instead of making empty ones.
    expect(await admin.withSchema(schemas.shared).table('knex_migrations').count({ n: '*' }).first(), 'the old ledger kept').to.deep.equal({ n: String(PRE_SPLIT_MIGRATIONS.length) });

    cart = await startCartService(config, { knex: pool(schemas.cart) });
    orders = await startOrderService(config, { ...FAST, knex: pool(schemas.order, ORDER_DATABASE) });
    const repeated = await call(`http://127.0.0.1:${cart.port}/api/create-order`, 'POST', { orderId, numItems: 2 }, { 'idempotency-key': key });
    expect(repeated, 'the first answer replayed from the moved keys').to.deep.equal(created);
    const details = await call(`http://127.0.0.1:${orders.port}/api/order-details?orderId=${orderId}`);
    expect(details.status, 'the order service kept the order').to.equal(200);
    // The cart knows the order (a legal transition, not 404) and its moved trigger wakes the relay at once.
    expect((await call(`http://127.0.0.1:${cart.port}/api/update-order`, 'PUT', { orderId, status: 'confirmed' })).status).to.equal(200);
    await waitFor(async () => (await call(`http://127.0.0.1:${orders!.port}/api/order-details?orderId=${orderId}`)).body.data?.status === 'confirmed', {
      what: 'the update consumed after the upgrade',
    });
    await stopServices();
  });

  it("creates each service's tables in its schema only, and migrating again changes nothing", async () => {
    const cartSchema = `test_cart_own_${suffix}`;
    const orderSchema = `test_order_own_${suffix}`;
    await migrateToLatest(pool(cartSchema), CART_DATABASE, { schema: cartSchema });
    await migrateToLatest(pool(orderSchema, ORDER_DATABASE), ORDER_DATABASE, { schema: orderSchema });
    expect(await tablesOf(admin, cartSchema)).to.deep.equal(['cart_idempotency_keys', 'cart_orders', 'cart_outbox', 'cart_outbox_parked']);
    expect(await tablesOf(admin, orderSchema)).to.deep.equal(['dead_letters', 'order_events', 'order_items', 'order_stock', 'order_stock_events', 'orders', 'pending_status_updates']);
    expect(await migrateToLatest(pool(cartSchema), CART_DATABASE, { schema: cartSchema })).to.deep.equal({ adoptedTables: [], applied: [] });
  });

  it('lets instances that start together migrate a new schema at once: each succeeds and every migration runs once', async () => {
    const schema = `test_cart_race_${suffix}`;
    const reports = await Promise.all(Array.from({ length: 3 }, () => migrateToLatest(pool(schema), CART_DATABASE, { schema })));
    const applied = reports.flatMap((report) => report.applied);
    expect(applied).to.have.length(4);
    expect(new Set(applied).size, 'no migration applied twice').to.equal(4);
    expect(await admin.withSchema(schema).table('knex_migrations').count({ n: '*' }).first()).to.deep.equal({ n: '4' });
  });
});
