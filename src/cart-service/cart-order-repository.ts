import type { OrderJson, OrderStatus } from '../domain';
import { inLockOrder, textArray, unquotedArray, withDatabaseErrors, type Knex, type SqlTransaction } from '../lib/db';
import { timeDbOperation, type Metrics } from '../lib/metrics';
import { outboxInsert, type OutboxEntry } from './outbox';

/**
 * What the cart knows of an order written before it kept whole orders (the `order` column came
 * with a later migration): its id and status. Such an order still moves through its lifecycle.
 */
export interface OrderSummary {
  orderId: string;
  status: OrderStatus;
}

/** A whole order, or the summary of an older one. */
export type KnownOrder = OrderJson | OrderSummary;

export function isWholeOrder(order: KnownOrder): order is OrderJson {
  return 'items' in order;
}

/** An order as the cart service knows it, with the latest event it wrote for it. */
export interface CartOrderRecord {
  orderId: string;
  status: OrderStatus;
  order: KnownOrder;
  /** Absent for orders written before the outbox existed. */
  lastEvent?: { eventId: string; eventType: string };
}

/** An order to store and the event its write produced. */
export interface OrderWrite<Order extends KnownOrder = OrderJson> {
  order: Order;
  lastEvent: { eventId: string; eventType: string };
}

interface CartOrderRow {
  order_id: string;
  status: OrderStatus;
  order: OrderJson | null;
  last_event_id: string | null;
  last_event_type: string | null;
}

const TABLE = 'cart_orders';

/**
 * PostgreSQL's jsonb keeps keys in its own order; answers list an order's fields in the same
 * order as when it was created.
 */
function toRecord(row: CartOrderRow): CartOrderRecord {
  const lastEvent = row.last_event_id && row.last_event_type ? { eventId: row.last_event_id, eventType: row.last_event_type } : undefined;
  const known = { orderId: row.order_id, status: row.status, ...(lastEvent ? { lastEvent } : {}) };
  if (row.order === null) return { ...known, order: { orderId: row.order_id, status: row.status } };
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
  return { ...known, order };
}

/**
 * The cart service's record of known orders (table `cart_orders`), which makes 404 and 409
 * survive a restart. Writes run in the transaction of the caller, which also writes the outbox.
 */
export function createCartOrderRepository({ knex, metrics }: { knex: Knex; metrics: Metrics }) {
  return withDatabaseErrors({
    /**
     * Inserts new orders and, for those that were new, their events into the outbox, in one
     * statement; returns the outbox id of each new order's event by order id. An id already
     * known (or inserted by a concurrent transaction that commits) is skipped, not an error.
     * Orders go in order of id, so concurrent batches lock them in the same order and cannot
     * deadlock; events go in the order given. Each order id may appear once (the caller answers
     * a repeat within a batch itself): both would pass as new and both events would be written.
     */
    async insertNew(tx: SqlTransaction, writes: Array<{ order: OrderJson; event: OutboxEntry }>): Promise<Map<string, string>> {
      if (writes.length === 0) return new Map();
      if (new Set(writes.map(({ order }) => order.orderId)).size !== writes.length) throw new Error('insertNew was given one order id twice');
      const sorted = [...writes].sort((a, b) => inLockOrder(a.order.orderId, b.order.orderId));
      // One array literal per column (unnest): a few bindings whatever the batch size, cheap to build and to parse.
      const orderColumns = [
        textArray(sorted.map(({ order }) => order.orderId)),
        unquotedArray(sorted.map(({ order }) => order.status)),
        textArray(sorted.map(({ order }) => JSON.stringify(order))),
        unquotedArray(sorted.map(({ event }) => event.eventId)),
        textArray(sorted.map(({ event }) => event.eventType)),
      ];
      const events = outboxInsert(
        writes.map(({ event }) => event),
        orderColumns.length + 1,
      );
      const rows = await timeDbOperation(metrics, 'cart_orders.insert_batch', () =>
        tx.query<{ id: string; order_id: string }>(
          `WITH new_orders AS (
             INSERT INTO ${TABLE} (order_id, status, "order", last_event_id, last_event_type)
             SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::uuid[], $5::text[])
             ON CONFLICT (order_id) DO NOTHING RETURNING order_id
           )
           ${events.text('WHERE entry.order_id IN (SELECT order_id FROM new_orders)')}`,
          [...orderColumns, ...events.values],
        ),
      );
      return new Map(rows.map((row) => [row.order_id, String(row.id)]));
    },

    /** The known orders among `orderIds`, their rows locked until the transaction ends (in id order, so batches cannot deadlock). */
    async lockForUpdate(tx: SqlTransaction, orderIds: string[]): Promise<Map<string, CartOrderRecord>> {
      const unique = [...new Set(orderIds)].sort(inLockOrder);
      const rows = await timeDbOperation(metrics, 'cart_orders.select_for_update', () =>
        tx.query<CartOrderRow>(
          `SELECT order_id, status, "order", last_event_id, last_event_type FROM ${TABLE} WHERE order_id = ANY($1::text[]) ORDER BY order_id FOR UPDATE`,
          [unique],
        ),
      );
      return new Map(rows.map((row) => [row.order_id, toRecord(row)]));
    },

    /** Stores each order's new status and latest event, in one statement (a summary keeps its empty `order`). */
    async saveStatuses(tx: SqlTransaction, writes: Array<OrderWrite<KnownOrder>>): Promise<void> {
      if (writes.length === 0) return;
      await timeDbOperation(metrics, 'cart_orders.update_status', () =>
        tx.query(
          `UPDATE ${TABLE} AS o SET status = v.status, "order" = COALESCE(v.order_json, o."order"), last_event_id = v.event_id, last_event_type = v.event_type, updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::uuid[], $5::text[]) AS v(order_id, status, order_json, event_id, event_type)
           WHERE o.order_id = v.order_id`,
          [
            textArray(writes.map(({ order }) => order.orderId)),
            unquotedArray(writes.map(({ order }) => order.status)),
            textArray(writes.map(({ order }) => (isWholeOrder(order) ? JSON.stringify(order) : null))),
            unquotedArray(writes.map(({ lastEvent }) => lastEvent.eventId)),
            textArray(writes.map(({ lastEvent }) => lastEvent.eventType)),
          ],
        ),
      );
    },

    /** The stored order with whether its latest event still waits in the outbox, outside any transaction. */
    async find(orderId: string): Promise<(CartOrderRecord & { published: boolean }) | undefined> {
      const row: (CartOrderRow & { pending: boolean }) | undefined = await timeDbOperation(metrics, 'cart_orders.select', () =>
        knex(TABLE)
          .where({ order_id: orderId })
          .select('order_id', 'status', 'order', 'last_event_id', 'last_event_type', knex.raw('(EXISTS (SELECT 1 FROM cart_outbox WHERE event_id = last_event_id) OR EXISTS (SELECT 1 FROM cart_outbox_parked WHERE event_id = last_event_id)) AS pending'))
          .first(),
      );
      return row ? { ...toRecord(row), published: !row.pending } : undefined;
    },
  });
}

export type CartOrderRepository = ReturnType<typeof createCartOrderRepository>;
