import { expect } from 'chai';
import { startOrderService, type RunningOrderService } from '../../../src/order-service/server';
import { createDatabase, type Knex } from '../../../src/lib/db';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { call, startTestCartService, type TestCartService } from './cart-service-harness';
import { CART_DATABASE } from '../../../src/cart-service';
import { ORDER_DATABASE } from '../../../src/order-service';

/** Rows still waiting in the cart's outbox. */
async function outboxRows(knex: Knex): Promise<number> {
  const [row] = await knex('cart_outbox').count<Array<{ count: string }>>('* as count');
  return Number(row?.count ?? 0);
}

/** Runs `task` for each item with at most `concurrency` at a time. */
async function withConcurrency<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
    }),
  );
}

describe('cart service: the outbox under faults', function () {
  this.timeout(180_000);
  const config = testConfig();
  let cartDb: TestDatabase;
  let orderDb: TestDatabase;
  let cart: TestCartService | undefined;
  let orders: RunningOrderService | undefined;

  beforeEach(async () => {
    cartDb = await createTestDatabase(CART_DATABASE, config, 20);
    orderDb = await createTestDatabase(ORDER_DATABASE, config, 10);
    cart = await startTestCartService({ db: cartDb, config });
    orders = await startOrderService(config, { knex: orderDb.knex, port: 0 });
  });

  afterEach(async () => {
    await orders?.stop();
    await cart?.destroy();
    await orderDb?.destroy();
  });

  it("when the cart's database connections are terminated while writes are in flight, no 503'd write is visible downstream and no 201/200/202 is lost", async () => {
    const prefix = `TERM-${uniqueSuffix()}`;
    const orderIds = Array.from({ length: 120 }, (_, index) => `${prefix}-${index}`);
    /** The last status each order was answered 2xx for; absent when its create was refused. */
    const answered = new Map<string, string>();
    const counts = { '2xx': 0, '202': 0, '503': 0, other: [] as number[] };
    const tally = (status: number) => {
      if (status === 201 || status === 200) counts['2xx'] += 1;
      else if (status === 202) counts['202'] += 1;
      else if (status === 503) counts['503'] += 1;
      else counts.other.push(status);
    };

    // A separate connection (its own application_name) terminates every connection of the cart's schema — pool and relay alike.
    const killer = createDatabase({ url: config.DATABASE_URL, poolMax: 1, applicationName: `killer-${cartDb.schema}` });
    let killing = true;
    let terminated = 0;
    const killerLoop = (async () => {
      while (killing) {
        const { rows } = (await killer.raw('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = ?', [cartDb.schema])) as {
          rows: Array<{ done: boolean }>;
        };
        terminated += rows.filter((row) => row.done).length;
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();

    try {
      await withConcurrency(orderIds, 24, async (orderId) => {
        const created = await call(cart!.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 2 });
        tally(created.status);
        if (created.status !== 201 && created.status !== 202) return;
        answered.set(orderId, 'pending');
        for (const status of ['confirmed', 'paid']) {
          const updated = await call(cart!.baseUrl, 'PUT', '/api/update-order', { orderId, status });
          tally(updated.status);
          if (updated.status !== 200 && updated.status !== 202) return;
          answered.set(orderId, status);
        }
      });
    } finally {
      killing = false;
      await killerLoop;
      await killer.destroy();
    }
    console.log(`      terminated ${terminated} connections; answers: ${JSON.stringify(counts)}`);
    expect(counts.other, 'only 201/200/202 and 503').to.deep.equal([]);
    expect(terminated, 'connections were terminated mid-load').to.be.greaterThan(0);
    expect(counts['503'], 'some writes were refused').to.be.greaterThan(0);

    await waitFor(async () => (await outboxRows(cartDb.knex)) === 0, { timeoutMs: 60_000, what: 'the outbox to drain' });
    // Downstream, every order is exactly as last answered: a 503'd create is absent, a 503'd update not applied.
    const expected = Object.fromEntries([...answered].sort());
    await waitFor(
      async () => {
        const rows: Array<{ order_id: string; status: string }> = await orderDb.knex('orders').where('order_id', 'like', `${prefix}-%`).select('order_id', 'status');
        const persisted = Object.fromEntries(rows.map((row) => [row.order_id, row.status]).sort());
        return JSON.stringify(persisted) === JSON.stringify(expected) ? persisted : undefined;
      },
      { timeoutMs: 60_000, what: 'the order service to hold every answered order in its answered status, and nothing else' },
    );
    const cartRows: Array<{ order_id: string; status: string }> = await cartDb.knex('cart_orders').where('order_id', 'like', `${prefix}-%`).select('order_id', 'status');
    expect(Object.fromEntries(cartRows.map((row) => [row.order_id, row.status]).sort()), 'the cart agrees with what it answered').to.deep.equal(expected);
  });

  it("when the relay loses its session between Kafka's acknowledgement and the delete, the rows are sent again and the order service applies each event once", async () => {
    // The delete fails as if the relay crashed right after Kafka's acknowledgement: the session
    // ends, the relay reconnects, reads the same rows and sends them again.
    await cartDb.knex.raw(`
      CREATE FUNCTION refuse_outbox_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the relay stops before deleting (test)'; END $$;
      CREATE TRIGGER refuse_outbox_delete BEFORE DELETE ON cart_outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox_delete();
    `);
    const prefix = `RESEND-${uniqueSuffix()}`;
    const orderIds = Array.from({ length: 20 }, (_, index) => `${prefix}-${index}`);
    const created = await Promise.all(orderIds.map((orderId) => call(cart!.baseUrl, 'POST', '/api/create-order', { orderId, numItems: 1 })));
    expect(created.map((response) => response.status), "answered 201 at Kafka's acknowledgement").to.deep.equal(orderIds.map(() => 201));

    const acknowledged = async () =>
      (await cart!.service.metrics.eventsProduced.get()).values.filter((value) => value.labels.outcome === 'acknowledged').reduce((sum, value) => sum + value.value, 0);
    await waitFor(async () => (await acknowledged()) >= orderIds.length * 2, { timeoutMs: 30_000, what: 'the rows to be sent a second time' });
    await cartDb.knex.raw('DROP TRIGGER refuse_outbox_delete ON cart_outbox');
    await waitFor(async () => (await outboxRows(cartDb.knex)) === 0, { timeoutMs: 30_000, what: 'the outbox to drain once deletes succeed' });

    await waitFor(async () => (await orderDb.knex('orders').where('order_id', 'like', `${prefix}-%`).count<Array<{ count: string }>>('* as count'))[0]!.count === String(orderIds.length), {
      what: 'every order persisted by the order service',
    });
    const duplicates = async () =>
      (await orders!.metrics.eventsConsumed.get()).values.filter((value) => value.labels.outcome === 'duplicate').reduce((sum, value) => sum + value.value, 0);
    await waitFor(async () => (await duplicates()) >= orderIds.length, { what: 'the repeats to reach the order service' });
    const applied: Array<{ event_id: string; count: string }> = await orderDb.knex('order_events')
      .where('order_id', 'like', `${prefix}-%`)
      .groupBy('event_id')
      .select('event_id', orderDb.knex.raw('count(*) AS count'));
    expect(applied, 'one history row per order').to.have.length(orderIds.length);
    expect(applied.filter((row) => row.count !== '1'), 'each event applied once').to.deep.equal([]);
  });
});
