import type { OrderJson, OrderStatus } from '../domain';
import type { Knex } from '../lib/db';
import { timeDbOperation, type Metrics } from '../lib/metrics';

/** An order the cart service has published, as stored. */
export interface CartOrderRecord {
  orderId: string;
  status: OrderStatus;
  order: OrderJson;
}

interface CartOrderRow {
  order_id: string;
  status: OrderStatus;
  order: OrderJson;
}

const TABLE = 'cart_orders';

/**
 * PostgreSQL's jsonb keeps keys in its own order; answers list an order's fields in the same
 * order as when it was created.
 */
function toRecord(row: CartOrderRow): CartOrderRecord {
  const { orderId, customerId, orderDate, items, totalAmount, currency, status } = row.order;
  const order: OrderJson = {
    orderId,
    customerId,
    orderDate,
    items: items.map(({ itemId, quantity, price }) => ({ itemId, quantity, price })),
    totalAmount,
    currency,
    status,
  };
  return { orderId: row.order_id, status: row.status, order };
}

/** The transaction a use case runs its reads and writes in. */
export type Transaction = Knex.Transaction;

/**
 * The cart service's record of known orders (table `cart_orders`), which makes 404 and 409
 * survive a restart. Every write runs inside a transaction the use case owns, so publishing
 * can happen between the write and the commit.
 */
export function createCartOrderRepository({ knex, metrics }: { knex: Knex; metrics: Metrics }) {
  return {
    /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
    transaction<T>(work: (trx: Transaction) => Promise<T>): Promise<T> {
      return knex.transaction(work);
    },

    /**
     * Inserts new orders in one statement and returns the ids that were new; an id already
     * known (or inserted by a concurrent transaction that commits) is skipped, not an error.
     * Rows go in order of id, so concurrent batches lock them in the same order and cannot deadlock.
     */
    async insertNew(trx: Transaction, orders: OrderJson[]): Promise<Set<string>> {
      if (orders.length === 0) return new Set();
      const rows = [...orders]
        .sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0))
        .map((order) => ({ order_id: order.orderId, status: order.status, order }));
      const inserted = await timeDbOperation(metrics, 'cart_orders.insert_batch', () =>
        trx<CartOrderRow>(TABLE).insert(rows).onConflict('order_id').ignore().returning('order_id'),
      );
      return new Set(inserted.map((row) => row.order_id));
    },

    /** The order with its row locked until the transaction ends, or undefined when unknown. */
    async findForUpdate(trx: Transaction, orderId: string): Promise<CartOrderRecord | undefined> {
      const row = await timeDbOperation(metrics, 'cart_orders.select_for_update', () =>
        trx<CartOrderRow>(TABLE).where({ order_id: orderId }).forUpdate().first(),
      );
      return row ? toRecord(row) : undefined;
    },

    async updateStatus(trx: Transaction, orderId: string, status: OrderStatus, order: OrderJson): Promise<void> {
      await timeDbOperation(metrics, 'cart_orders.update_status', () =>
        trx<CartOrderRow>(TABLE).where({ order_id: orderId }).update({ status, order, updated_at: trx.fn.now() } as Partial<CartOrderRow>),
      );
    },

    /** The stored order, outside any transaction (tests and diagnostics). */
    async find(orderId: string): Promise<CartOrderRecord | undefined> {
      const row = await knex<CartOrderRow>(TABLE).where({ order_id: orderId }).first();
      return row ? toRecord(row) : undefined;
    },
  };
}

export type CartOrderRepository = ReturnType<typeof createCartOrderRepository>;
