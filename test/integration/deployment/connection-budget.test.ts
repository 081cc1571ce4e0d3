import { expect } from 'chai';
import { CART_DB_POOL_MAX, startCartService, type RunningCartService } from '../../../src/cart-service';
import { createDatabase, type Knex } from '../../../src/lib/db';
import { INVENTORY_DB_POOL_MAX } from '../../../src/inventory-service';
import { NOTIFICATION_DB_POOL_MAX } from '../../../src/notification-service';
import { ORDER_DB_POOL_MAX, startOrderService, type RunningOrderService } from '../../../src/order-service';
import { testConfig, uniqueSuffix } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';

/** PostgreSQL's default max_connections (100) less its default superuser_reserved_connections (3). */
const DEFAULT_CONNECTIONS_FOR_USERS = 97;

/**
 * The services' own pools, at their production sizes, against a login limited to what a
 * PostgreSQL with default settings leaves its users: the cart and two order-service instances
 * under load must never be refused a connection.
 */
describe('connection budget: the cart and two order-service instances within PostgreSQL\'s default limit', function () {
  this.timeout(120_000);
  const suffix = uniqueSuffix();
  const role = `budget_${suffix}`;
  // Made beforehand by the administrator, as a locked-down database would have them: the role may not create schemas.
  const schemas = { CART_DB_SCHEMA: `test_budget_cart_${suffix}`, ORDER_DB_SCHEMA: `test_budget_order_${suffix}`, ACCESS_DB_SCHEMA: `test_budget_access_${suffix}` };
  let admin: Knex;
  let cart: RunningCartService | undefined;
  const orderServices: RunningOrderService[] = [];

  before(async () => {
    const stack = testConfig();
    admin = createDatabase({ url: stack.DATABASE_URL, poolMax: 2 });
    await admin.raw(`CREATE ROLE ?? LOGIN PASSWORD 'budget' CONNECTION LIMIT ${DEFAULT_CONNECTIONS_FOR_USERS}`, [role]);
    for (const schema of Object.values(schemas)) await admin.raw('CREATE SCHEMA ?? AUTHORIZATION ??', [schema, role]);
  });

  after(async () => {
    await cart?.stop();
    for (const service of orderServices) await service.stop();
    for (const schema of Object.values(schemas)) await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await admin.raw('DROP ROLE IF EXISTS ??', [role]);
    await admin.destroy();
  });

  it('sizes the pools so that the cart (its pool and its relay session), two order-service instances, the inventory and the notification service fit, even all full', () => {
    const atMost = CART_DB_POOL_MAX + 1 + 2 * ORDER_DB_POOL_MAX + INVENTORY_DB_POOL_MAX + NOTIFICATION_DB_POOL_MAX;
    expect(atMost).to.be.at.most(DEFAULT_CONNECTIONS_FOR_USERS);
  });

  it('serves a create and query load with every pool full, and never uses more connections than the limit', async () => {
    const url = new URL(testConfig().DATABASE_URL);
    url.username = role;
    url.password = 'budget';
    const config = testConfig({ DATABASE_URL: url.toString(), ...schemas });
    cart = await startCartService(config, { port: 0 });
    for (let instance = 0; instance < 2; instance += 1) orderServices.push(await startOrderService(config, { port: 0, gaugeIntervalMs: 200 }));

    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = (await admin.raw('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = ?', [role])) as { rows: Array<{ n: number }> };
        peak = Math.max(peak, rows[0]?.n ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const orderIds = Array.from({ length: 400 }, (_, index) => `BUDGET-${suffix}-${index}`);
    const statuses: number[] = [];
    const send = async (url: string, init?: RequestInit) => statuses.push((await fetch(url, init)).status);
    try {
      await Promise.all(
        Array.from({ length: 64 }, async (_, worker) => {
          for (let index = worker; index < orderIds.length; index += 64) {
            const orderId = orderIds[index]!;
            await send(`http://127.0.0.1:${cart!.port}/api/create-order`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ orderId, numItems: 2 }),
            });
            const reader = orderServices[index % 2]!;
            await send(`http://127.0.0.1:${reader.port}/api/orders?pageSize=20`);
          }
        }),
      );
      const orderService = orderServices[0]!;
      await waitFor(
        async () => {
          const page = (await (await fetch(`http://127.0.0.1:${orderService.port}/api/orders?pageSize=1`)).json()) as { data: { total: number } };
          return page.data.total === orderIds.length;
        },
        { timeoutMs: 60_000, what: 'every order consumed by the two order-service instances' },
      );
    } finally {
      sampling = false;
      await sampler;
    }
    console.log(`      peak ${peak} connections of ${DEFAULT_CONNECTIONS_FOR_USERS}`);
    expect(statuses.filter((status) => ![200, 201, 202].includes(status)), 'no request refused').to.deep.equal([]);
    // The role's limit would refuse a connection past it; the pools' own bound is the claim here.
    expect(peak, 'connections the pools opened').to.be.at.most(CART_DB_POOL_MAX + 1 + 2 * ORDER_DB_POOL_MAX);
  });
});
