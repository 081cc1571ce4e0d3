import type { OrderJson, OrderStatus } from '../domain';
import { AppError } from '../errors';
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
/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

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

    /** Inserts a new order; throws CONFLICT naming the id when it is already known (also when a concurrent insert won). */
    async insert(trx: Transaction, order: OrderJson): Promise<void> {
      try {
        await timeDbOperation(metrics, 'cart_orders.insert', () =>
          trx<CartOrderRow>(TABLE).insert({ order_id: order.orderId, status: order.status, order }),
        );
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) {
          throw new AppError('CONFLICT', `order '${order.orderId}' already exists`, { cause: error });
        }
        throw error;
      }
    },

    /** The order with its row locked until the transaction ends, or undefined when unknown. */
    async findForUpdate(trx: Transaction, orderId: string): Promise<CartOrderRecord | undefined> {
      const row = await timeDbOperation(metrics, 'cart_orders.select_for_update', () =>
        trx<CartOrderRow>(TABLE).where({ order_id: orderId }).forUpdate().first(),
      );
      return row ? { orderId: row.order_id, status: row.status, order: row.order } : undefined;
    },

    async updateStatus(trx: Transaction, orderId: string, status: OrderStatus, order: OrderJson): Promise<void> {
      await timeDbOperation(metrics, 'cart_orders.update_status', () =>
        trx<CartOrderRow>(TABLE).where({ order_id: orderId }).update({ status, order, updated_at: trx.fn.now() } as Partial<CartOrderRow>),
      );
    },

    /** The stored order, outside any transaction (tests and diagnostics). */
    async find(orderId: string): Promise<CartOrderRecord | undefined> {
      const row = await knex<CartOrderRow>(TABLE).where({ order_id: orderId }).first();
      return row ? { orderId: row.order_id, status: row.status, order: row.order } : undefined;
    },
  };
}

export type CartOrderRepository = ReturnType<typeof createCartOrderRepository>;
