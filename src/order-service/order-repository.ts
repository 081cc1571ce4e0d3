import { textArray, timestampArray, unquotedArray, withDatabaseErrors, type Knex } from '../lib/db';
import { isOrderStatus, type OrderStatus } from '../domain';
import type { BatchPlan, BatchState, PendingUpdate } from './order-event-handler';

/** An order as stored: money as exact decimal strings, as PostgreSQL numeric returns it. */
export interface OrderRecord {
  orderId: string;
  customerId: string;
  orderDate: string;
  items: Array<{ itemId: string; quantity: number; price: string }>;
  totalAmount: string;
  currency: string;
  status: OrderStatus;
  shippingCost: string;
  sourceTopic: string;
  createdAt: string;
  updatedAt: string;
}

export type OrderSummary = Omit<OrderRecord, 'items'>;

export interface OrderPage {
  orders: OrderSummary[];
  total: number;
}

export interface AnalyticsSummary {
  totalOrders: number;
  ordersByStatus: Record<string, number>;
  /** Sum of totalAmount of not-cancelled orders, per currency, exact. */
  revenueByCurrency: Record<string, string>;
}

/** The reads and writes of one batch, inside its transaction. */
export interface BatchTransaction {
  /** Serialises batches of one partition, even across instances during a rebalance. */
  lockPartition(topic: string, partition: number): Promise<void>;
  loadState(eventIds: string[], orderIds: string[]): Promise<BatchState>;
  writePlan(plan: BatchPlan): Promise<void>;
}

interface OrderRow {
  order_id: string;
  customer_id: string;
  order_date: Date;
  currency: string;
  total_amount: string;
  shipping_cost: string;
  status: string;
  source_topic: string;
  created_at: Date;
  updated_at: Date;
}

function toSummary(row: OrderRow): OrderSummary {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    orderDate: row.order_date.toISOString(),
    totalAmount: row.total_amount,
    currency: row.currency,
    status: row.status as OrderStatus,
    shippingCost: row.shipping_cost,
    sourceTopic: row.source_topic,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Serialises the transactions of one partition's events (batches, retention), even across instances during a rebalance. */
export async function lockPartition(trx: Knex.Transaction, topic: string, partition: number): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`${topic}/${partition}`]);
}

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';
/** Attempts of a batch transaction that lost a race for a row to another partition's (see inBatchTransaction). */
const UNIQUE_RACE_ATTEMPTS = 3;

/** Reads and writes the order service's tables; returns plain records. */
export function createOrderRepository({ knex }: { knex: Knex }) {
  function batchTransaction(trx: Knex.Transaction): BatchTransaction {
    return {
      lockPartition: (topic, partition) => lockPartition(trx, topic, partition),

      async loadState(eventIds, orderIds) {
        // One array parameter per list (= ANY) instead of thousands of bind parameters.
        const ids = unquotedArray(eventIds);
        const known = (await trx.raw(
          `SELECT event_id FROM order_events WHERE event_id = ANY(?::uuid[])
           UNION ALL SELECT event_id FROM pending_status_updates WHERE event_id = ANY(?::uuid[])`,
          [ids, ids],
        )) as { rows: Array<{ event_id: string }> };
        const orderIdArray = textArray(orderIds);
        const orders = (await trx.raw('SELECT order_id, status FROM orders WHERE order_id = ANY(?::text[])', [orderIdArray])) as {
          rows: Array<{ order_id: string; status: string }>;
        };
        const parked = (await trx.raw('SELECT * FROM pending_status_updates WHERE order_id = ANY(?::text[])', [orderIdArray])) as {
          rows: Array<{ event_id: string; order_id: string; status: string; occurred_at: Date; topic: string; partition: number; offset: string }>;
        };
        const orderStatuses = new Map<string, OrderStatus>();
        for (const row of orders.rows) if (isOrderStatus(row.status)) orderStatuses.set(row.order_id, row.status);
        const pending: PendingUpdate[] = [];
        for (const row of parked.rows) {
          if (!isOrderStatus(row.status)) continue;
          pending.push({
            eventId: row.event_id,
            orderId: row.order_id,
            status: row.status,
            occurredAt: row.occurred_at,
            position: { topic: row.topic, partition: row.partition, offset: String(row.offset) },
          });
        }
        return { knownEventIds: new Set(known.rows.map((row) => row.event_id)), orderStatuses, pending };
      },

      // Multi-row writes as INSERT ... SELECT FROM unnest(arrays): one statement and one bind
      // parameter per column, whatever the batch size. No ON CONFLICT: loadState, under the
      // partition's lock, already told which events and orders exist (see inBatchTransaction).
      async writePlan(plan) {
        const now = new Date();
        if (plan.newOrders.length > 0) {
          const orders = plan.newOrders;
          await trx.raw(
            `INSERT INTO orders (order_id, customer_id, order_date, currency, total_amount, shipping_cost, status, source_topic, created_at, updated_at)
             SELECT o.*, ?::timestamptz, ?::timestamptz
             FROM unnest(?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::numeric[], ?::numeric[], ?::text[], ?::text[]) AS o`,
            [
              now,
              now,
              textArray(orders.map(({ order }) => order.orderId)),
              textArray(orders.map(({ order }) => order.customerId)),
              timestampArray(orders.map(({ order }) => order.orderDate)),
              textArray(orders.map(({ order }) => order.currency)),
              unquotedArray(orders.map(({ order }) => order.totalAmount.toFixed(2))),
              unquotedArray(orders.map(({ shippingCost }) => shippingCost.toFixed(2))),
              unquotedArray(orders.map(({ status }) => status)),
              textArray(orders.map(({ sourceTopic }) => sourceTopic)),
            ],
          );
          const items = orders.flatMap(({ order }) => order.items.map((item, index) => ({ orderId: order.orderId, line: index + 1, item })));
          await trx.raw(
            `INSERT INTO order_items (order_id, line_number, item_id, quantity, price)
             SELECT * FROM unnest(?::text[], ?::int[], ?::text[], ?::int[], ?::numeric[])`,
            [
              textArray(items.map((row) => row.orderId)),
              unquotedArray(items.map((row) => row.line)),
              textArray(items.map((row) => row.item.itemId)),
              unquotedArray(items.map((row) => row.item.quantity)),
              unquotedArray(items.map((row) => row.item.price.toFixed(2))),
            ],
          );
        }

        if (plan.statusChanges.size > 0) {
          const changes = [...plan.statusChanges.entries()];
          await trx.raw(
            `UPDATE orders SET status = changes.status, updated_at = ?
             FROM unnest(?::text[], ?::text[]) AS changes(order_id, status)
             WHERE orders.order_id = changes.order_id`,
            [now, textArray(changes.map(([orderId]) => orderId)), unquotedArray(changes.map(([, status]) => status))],
          );
        }

        if (plan.history.length > 0) {
          const history = plan.history;
          await trx.raw(
            `INSERT INTO order_events (event_id, order_id, event_type, status, outcome, reason, topic, partition, "offset", occurred_at, recorded_at)
             SELECT h.*, ?::timestamptz
             FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::bigint[], ?::timestamptz[]) AS h`,
            [
              now,
              unquotedArray(history.map((entry) => entry.eventId)),
              textArray(history.map((entry) => entry.orderId)),
              unquotedArray(history.map((entry) => entry.type)),
              unquotedArray(history.map((entry) => entry.status)),
              unquotedArray(history.map((entry) => entry.outcome)),
              textArray(history.map((entry) => entry.reason)),
              textArray(history.map((entry) => entry.position.topic)),
              unquotedArray(history.map((entry) => entry.position.partition)),
              unquotedArray(history.map((entry) => entry.position.offset)),
              timestampArray(history.map((entry) => entry.occurredAt)),
            ],
          );
        }

        if (plan.parked.length > 0) {
          const parked = plan.parked;
          await trx.raw(
            `INSERT INTO pending_status_updates (event_id, order_id, status, occurred_at, topic, partition, "offset", received_at)
             SELECT p.*, ?::timestamptz
             FROM unnest(?::uuid[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::int[], ?::bigint[]) AS p
             ON CONFLICT (event_id) DO NOTHING`,
            [
              now,
              unquotedArray(parked.map((update) => update.eventId)),
              textArray(parked.map((update) => update.orderId)),
              unquotedArray(parked.map((update) => update.status)),
              timestampArray(parked.map((update) => update.occurredAt)),
              textArray(parked.map((update) => update.position.topic)),
              unquotedArray(parked.map((update) => update.position.partition)),
              unquotedArray(parked.map((update) => update.position.offset)),
            ],
          );
        }
        if (plan.unparked.length > 0) await trx.raw('DELETE FROM pending_status_updates WHERE event_id = ANY(?::uuid[])', [unquotedArray(plan.unparked)]);
      },
    };
  }

  return withDatabaseErrors({
    /**
     * Runs `work` in one transaction: everything it writes commits together or not at all. A
     * unique violation means a transaction of ANOTHER partition wrote the same event or order
     * after this one read its state (partitions lock separately): a lost race, like a
     * serialisation failure, so `work` runs again and then sees that row as known. A violation
     * that outlasts a few attempts is no race, and fails as the error it is.
     */
    async inBatchTransaction<T>(work: (tx: BatchTransaction) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await knex.transaction((trx) => work(batchTransaction(trx)));
        } catch (error) {
          if ((error as { code?: unknown } | null)?.code !== UNIQUE_VIOLATION || attempt >= UNIQUE_RACE_ATTEMPTS) throw error;
        }
      }
    },

    async findOrder(orderId: string): Promise<OrderRecord | undefined> {
      const row = (await knex('orders').where({ order_id: orderId }).first()) as OrderRow | undefined;
      if (!row) return undefined;
      const items = (await knex('order_items').where({ order_id: orderId }).orderBy('line_number')) as Array<{
        item_id: string;
        quantity: number;
        price: string;
      }>;
      const summary = toSummary(row);
      return { ...summary, items: items.map((item) => ({ itemId: item.item_id, quantity: item.quantity, price: item.price })) };
    },

    async listOrders({ status, page, pageSize }: { status?: OrderStatus; page: number; pageSize: number }): Promise<OrderPage> {
      const base = knex('orders').modify((query) => {
        if (status) void query.where({ status });
      });
      const [countRow] = (await base.clone().count<Array<{ count: string }>>({ count: '*' })) as Array<{ count: string }>;
      const rows = (await base
        .clone()
        .select('*')
        .orderBy('order_id')
        .offset((page - 1) * pageSize)
        .limit(pageSize)) as OrderRow[];
      return { orders: rows.map(toSummary), total: Number(countRow?.count ?? 0) };
    },

    /** Ids of the orders consumed from `topic`, in id order, from just after `after`, at most `limit` (keyset paging on the (source_topic, order_id) index). */
    async orderIdsFromTopic(topic: string, { after, limit }: { after?: string; limit: number }): Promise<string[]> {
      const query = knex('orders').select('order_id').where({ source_topic: topic }).orderBy('order_id').limit(limit);
      if (after !== undefined) void query.andWhere('order_id', '>', after);
      const rows = (await query) as Array<{ order_id: string }>;
      return rows.map((row) => row.order_id);
    },

    async summary(): Promise<AnalyticsSummary> {
      const byStatus = (await knex('orders').select('status').count({ count: '*' }).groupBy('status')) as Array<{ status: string; count: string }>;
      const revenue = (await knex('orders')
        .select('currency')
        .sum({ revenue: 'total_amount' })
        .whereNot({ status: 'cancelled' })
        .groupBy('currency')
        .orderBy('currency')) as Array<{ currency: string; revenue: string }>;
      const ordersByStatus = Object.fromEntries(byStatus.map((row) => [row.status, Number(row.count)]));
      return {
        totalOrders: byStatus.reduce((sum, row) => sum + Number(row.count), 0),
        ordersByStatus,
        revenueByCurrency: Object.fromEntries(revenue.map((row) => [row.currency, row.revenue])),
      };
    },
  });
}

export type OrderRepository = ReturnType<typeof createOrderRepository>;
