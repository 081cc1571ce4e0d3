import { expect } from 'chai';
import { CART_DATABASE, startCartService, type RunningCartService } from '../../../src/cart-service';
import type { Config } from '../../../src/config';
import { INVENTORY_DATABASE, startInventoryService, type RunningInventoryService } from '../../../src/inventory-service';
import { ORDER_DATABASE, startOrderService, type RunningOrderService } from '../../../src/order-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST } from '../order-service/order-service-fixtures';

interface Reply {
  status: number;
  body: { data?: Record<string, unknown> & { orders?: Array<{ orderId: string; stockState: string }>; events?: Array<Record<string, unknown>> } };
}

async function call(url: string, method = 'GET', json?: unknown): Promise<Reply> {
  const response = await fetch(url, { method, ...(json === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }) });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}

/** A full order of the given lines, priced 1.00 a unit. */
function order(orderId: string, lines: Array<[string, number]>) {
  const items = lines.map(([itemId, quantity]) => ({ itemId, quantity, price: '1.00' }));
  const total = lines.reduce((sum, [, quantity]) => sum + quantity, 0);
  return { orderId, customerId: 'CUST-1', orderDate: '2026-12-03T10:00:00Z', items, totalAmount: `${total}.00`, currency: 'EUR' };
}

describe('the stock saga: cart -> order events -> inventory service -> inventory events -> order service', function () {
  this.timeout(120_000);
  let config: Config;
  const databases: TestDatabase[] = [];
  let cart: RunningCartService;
  let orders: RunningOrderService;
  let inventory: RunningInventoryService;
  const cartUrl = (path: string) => `http://127.0.0.1:${cart.port}${path}`;
  const orderUrl = (path: string) => `http://127.0.0.1:${orders.port}${path}`;
  const inventoryUrl = (path: string) => `http://127.0.0.1:${inventory.port}${path}`;
  const stockStateOf = async (orderId: string) => (await call(orderUrl(`/api/order-details?orderId=${orderId}`))).body.data?.stockState;
  const untilStockState = (orderId: string, state: string) => waitFor(async () => (await stockStateOf(orderId)) === state, { timeoutMs: 30_000, what: `${orderId} ${state}` });

  before(async () => {
    config = { ...testConfig(), CART_SERVICE_PORT: 0 };
    const [cartDb, orderDb, inventoryDb] = await Promise.all([createTestDatabase(CART_DATABASE, config), createTestDatabase(ORDER_DATABASE, config), createTestDatabase(INVENTORY_DATABASE, config)]);
    databases.push(cartDb, orderDb, inventoryDb);
    cart = await startCartService(config, { knex: cartDb.knex });
    orders = await startOrderService(config, { ...FAST, knex: orderDb.knex });
    inventory = await startInventoryService(config, { port: 0, retry: FAST.retry, knex: inventoryDb.knex });
  });
  after(async () => {
    await inventory?.stop();
    await orders?.stop();
    await cart?.stop();
    for (const database of databases) await database.destroy();
  });

  it('shows a new order reserved once the inventory service answered; a cancel releases the units and the order service shows it', async () => {
    expect((await call(inventoryUrl('/api/inventory/SAGA-A'), 'PUT', { available: 5 })).status).to.equal(200);
    expect((await call(cartUrl('/api/create-order'), 'POST', order('SAGA-1', [['SAGA-A', 2]]))).status).to.equal(201);
    await untilStockState('SAGA-1', 'reserved');
    expect((await call(inventoryUrl('/api/inventory/SAGA-A'))).body.data).to.include({ available: 3, reserved: 2 });

    expect((await call(cartUrl('/api/update-order'), 'PUT', { orderId: 'SAGA-1', status: 'cancelled' })).status).to.equal(200);
    await untilStockState('SAGA-1', 'released');
    expect((await call(inventoryUrl('/api/inventory/SAGA-A'))).body.data).to.include({ available: 5, reserved: 0 });
    expect((await call(orderUrl('/api/order-details?orderId=SAGA-1'))).body.data?.status, 'the status stays client-driven').to.equal('cancelled');
  });

  it('a shipment takes the reserved units out of stock: committed', async () => {
    expect((await call(inventoryUrl('/api/inventory/SAGA-B'), 'PUT', { available: 3 })).status).to.equal(200);
    expect((await call(cartUrl('/api/create-order'), 'POST', order('SAGA-2', [['SAGA-B', 3]]))).status).to.equal(201);
    await untilStockState('SAGA-2', 'reserved');
    for (const status of ['confirmed', 'shipped']) expect((await call(cartUrl('/api/update-order'), 'PUT', { orderId: 'SAGA-2', status })).status).to.equal(200);
    await untilStockState('SAGA-2', 'committed');
    expect((await call(inventoryUrl('/api/inventory/SAGA-B'))).body.data).to.include({ available: 0, reserved: 0 });
  });

  it('an order for more than there is is rejected: its timeline names the short item, and the list filters by stock state', async () => {
    expect((await call(inventoryUrl('/api/inventory/SAGA-C'), 'PUT', { available: 1 })).status).to.equal(200);
    expect((await call(cartUrl('/api/create-order'), 'POST', order('SAGA-3', [['SAGA-C', 4]]))).status).to.equal(201);
    await untilStockState('SAGA-3', 'rejected');
    const timeline = (await call(orderUrl('/api/orders/SAGA-3/events'))).body.data?.events ?? [];
    expect(timeline.map((event) => [event.eventType, event.stockState])).to.deep.equal([
      ['OrderCreated', null],
      ['InventoryRejected', 'rejected'],
    ]);
    expect(timeline[1]?.reason).to.equal('short: SAGA-C (asked 4, 1 available)');

    const rejected = (await call(orderUrl('/api/orders?stockState=rejected&pageSize=100'))).body.data?.orders ?? [];
    expect(rejected.map((entry) => entry.orderId)).to.deep.equal(['SAGA-3']);
    expect((await call(orderUrl('/api/orders?stockState=nonsense'))).status).to.equal(400);
  });
});
