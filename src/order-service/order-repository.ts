import { escapeLiteral } from 'pg';
import { acquirePgConnection, sqlStateOf, textArray, timestampArray, unquotedArray, withDatabaseErrors, type Knex } from '../lib/db';
import { isOrderStatus, type OrderStatus } from '../domain';
import type { BatchPlan, BatchState, PendingUpdate } from './order-event-handler';
import type { OrderStockState } from './stock-state';

/** An order as stored: money as exact decimal strings, as PostgreSQL numeric returns it. */
export interface OrderRecord {
  orderId: string;
  customerId: string;
  orderDate: string;
  items: Array<{ itemId: string; quantity: number; price: string }>;
  totalAmount: string;
  currency: string;
  status: OrderStatus;
  /** What the inventory service announced about the order's stock; awaiting until it answered. */
  stockState: OrderStockState;
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

/** The reads and writes of one batch, inside its transaction (which holds its partition's lock). */
export interface BatchTransaction {
  loadState(eventIds: string[], orderIds: string[]): Promise<BatchState>;
  writePlan(plan: BatchPlan): Promise<void>;
}

/** The partition whose batches a transaction serialises, even across instances during a rebalance. */
export interface PartitionLock {
  topic: string;
  partition: number;
}

interface OrderRow {
  order_id: string;
  customer_id: string;
  order_date: Date;
  currency: string;
  total_amount: string;
  shipping_cost: string;
  status: string;
  stock_state: OrderStockState;
  source_topic: string;
  created_at: Date;
  updated_at: Date;
}

/** The orders with their stock state (awaiting while the inventory service has not answered). */
function ordersWithStock(knex: Knex) {
  return knex('orders')
    .leftJoin('order_stock', 'orders.order_id', 'order_stock.order_id')
    .select('orders.*', knex.raw("coalesce(order_stock.state, 'awaiting') AS stock_state"));
}

function toSummary(row: OrderRow): OrderSummary {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    orderDate: row.order_date.toISOString(),
    totalAmount: row.total_amount,
    currency: row.currency,
    status: row.status as OrderStatus,
    stockState: row.stock_state,
    shippingCost: row.shipping_cost,
    sourceTopic: row.source_topic,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Serialises the transactions of one partition's events (batches, retention), even across instances during a rebalance. */
export async function lockPartition(trx: Knex.Transaction, topic: string, partition: number): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [partitionLockKey({ topic, partition })]);
}

function partitionLockKey({ topic, partition }: PartitionLock): string {
  return `${topic}/${partition}`;
}

/** SQLSTATE unique_violation. */
const UNIQUE_VIOLATION = '23505';
/** Attempts of a batch transaction that lost a race for a row to another partition's (see inBatchTransaction). */
const UNIQUE_RACE_ATTEMPTS = 3;

/**
 * Everything a batch holds in the database, in one statement: the known event ids (history and
 * parking), the batch's existing orders, and their parked updates, as rows of one shape told
 * apart by `kind`.
 */
const LOAD_STATE_SQL = `
  SELECT 'known' AS kind, event_id::text, NULL::text AS order_id, NULL::text AS status, NULL::timestamptz AS occurred_at, NULL::text AS topic, NULL::int AS partition, NULL::text AS "offset"
    FROM order_events WHERE event_id = ANY($1::uuid[])
  UNION ALL SELECT 'known', event_id::text, NULL, NULL, NULL, NULL, NULL, NULL
    FROM pending_status_updates WHERE event_id = ANY($1::uuid[])
  UNION ALL SELECT 'order', NULL, order_id, status, NULL, NULL, NULL, NULL
    FROM orders WHERE order_id = ANY($2::text[])
  UNION ALL SELECT 'parked', event_id::text, order_id, status, occurred_at, topic, partition, "offset"::text
    FROM pending_status_updates WHERE order_id = ANY($2::text[])`;

interface StateRow {
  kind: 'known' | 'order' | 'parked';
  event_id: string | null;
  order_id: string | null;
  status: string | null;
  occurred_at: Date | null;
  topic: string | null;
  partition: number | null;
  offset: string | null;
}

/**
 * Everything a plan writes, in one statement: multi-row writes as INSERT ... SELECT FROM
 * unnest(arrays), one bind parameter per column whatever the batch size, each an empty no-op
 * when the plan has none. The parts touch disjoint rows (new orders vs orders that existed before
 * the batch; newly parked vs formerly parked updates), which is what makes one statement, whose
 * parts share one snapshot, equal to running them in turn. No ON CONFLICT on orders or history:
 * loadState, under the partition's lock, already told which events and orders exist (see
 * inBatchTransaction). Foreign keys are checked at the statement's end, after the orders exist.
 */
const WRITE_PLAN_SQL = `
  WITH new_orders AS (
    INSERT INTO orders (order_id, customer_id, order_date, currency, total_amount, shipping_cost, status, source_topic, created_at, updated_at)
    SELECT o.*, $1::timestamptz, $1::timestamptz
    FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::numeric[], $7::numeric[], $8::text[], $9::text[]) AS o
  ), new_items AS (
    INSERT INTO order_items (order_id, line_number, item_id, quantity, price)
    SELECT * FROM unnest($10::text[], $11::int[], $12::text[], $13::int[], $14::numeric[])
  ), status_changes AS (
    UPDATE orders SET status = changes.status, updated_at = $1::timestamptz
    FROM unnest($15::text[], $16::text[]) AS changes(order_id, status)
    WHERE orders.order_id = changes.order_id
  ), history AS (
    INSERT INTO order_events (event_id, order_id, event_type, status, outcome, reason, topic, partition, "offset", occurred_at, recorded_at)
    SELECT h.*, $1::timestamptz
    FROM unnest($17::uuid[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::int[], $25::bigint[], $26::timestamptz[]) AS h
  ), parked AS (
    INSERT INTO pending_status_updates (event_id, order_id, status, occurred_at, topic, partition, "offset", received_at)
    SELECT p.*, $1::timestamptz
    FROM unnest($27::uuid[], $28::text[], $29::text[], $30::timestamptz[], $31::text[], $32::int[], $33::bigint[]) AS p
    ON CONFLICT (event_id) DO NOTHING
  )
  DELETE FROM pending_status_updates WHERE event_id = ANY($34::uuid[])`;

function toBatchState(rows: readonly StateRow[]): BatchState {
  const knownEventIds = new Set<string>();
  const orderStatuses = new Map<string, OrderStatus>();
  const pending: PendingUpdate[] = [];
  for (const row of rows) {
    if (row.kind === 'known') knownEventIds.add(row.event_id!);
    else if (row.kind === 'order' && isOrderStatus(row.status)) orderStatuses.set(row.order_id!, row.status);
    else if (row.kind === 'parked' && isOrderStatus(row.status)) {
      pending.push({
        eventId: row.event_id!,
        orderId: row.order_id!,
        status: row.status,
        occurredAt: row.occurred_at!,
        position: { topic: row.topic!, partition: row.partition!, offset: row.offset! },
      });
    }
  }
  return { knownEventIds, orderStatuses, pending };
}

/**
 * The write statement's parts share one snapshot, so none sees a row another part writes: that
 * is only the same as running them in turn while they touch different rows. planBatch plans it so
 * (status changes are of orders that existed before the batch; an update is parked or unparked,
 * not both); a plan that breaks it would lose a change without an error, so it is refused.
 */
export function checkDisjointWrites(plan: BatchPlan): void {
  const created = new Set(plan.newOrders.map(({ order }) => order.orderId));
  const changedNew = [...plan.statusChanges.keys()].find((orderId) => created.has(orderId));
  if (changedNew !== undefined) throw new Error(`the batch plan changes the status of order '${changedNew}', which it also creates`);
  const unparked = new Set(plan.unparked);
  const parkedAndUnparked = plan.parked.find((update) => unparked.has(update.eventId));
  if (parkedAndUnparked) throw new Error(`the batch plan both parks and unparks event '${parkedAndUnparked.eventId}'`);
}

function writePlanValues(plan: BatchPlan): unknown[] {
  checkDisjointWrites(plan);
  const orders = plan.newOrders;
  const items = orders.flatMap(({ order }) => order.items.map((item, index) => ({ orderId: order.orderId, line: index + 1, item })));
  const changes = [...plan.statusChanges.entries()];
  const { history, parked } = plan;
  return [
    new Date(),
    textArray(orders.map(({ order }) => order.orderId)),
    textArray(orders.map(({ order }) => order.customerId)),
    timestampArray(orders.map(({ order }) => order.orderDate)),
    textArray(orders.map(({ order }) => order.currency)),
    unquotedArray(orders.map(({ order }) => order.totalAmount.toFixed(2))),
    unquotedArray(orders.map(({ shippingCost }) => shippingCost.toFixed(2))),
    unquotedArray(orders.map(({ status }) => status)),
    textArray(orders.map(({ sourceTopic }) => sourceTopic)),

    textArray(items.map((row) => row.orderId)),
    unquotedArray(items.map((row) => row.line)),
    textArray(items.map((row) => row.item.itemId)),
    unquotedArray(items.map((row) => row.item.quantity)),
    unquotedArray(items.map((row) => row.item.price.toFixed(2))),

    textArray(changes.map(([orderId]) => orderId)),
    unquotedArray(changes.map(([, status]) => status)),

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

    unquotedArray(parked.map((update) => update.eventId)),
    textArray(parked.map((update) => update.orderId)),
    unquotedArray(parked.map((update) => update.status)),
    timestampArray(parked.map((update) => update.occurredAt)),
    textArray(parked.map((update) => update.position.topic)),
    unquotedArray(parked.map((update) => update.position.partition)),
    unquotedArray(parked.map((update) => update.position.offset)),

    unquotedArray(plan.unparked),
  ];
}

/** Reads and writes the order service's tables; returns plain records. */
export function createOrderRepository({ knex }: { knex: Knex }) {
  /**
   * One batch's transaction on a bare pg connection, in four round trips (BEGIN with the lock,
   * the state, the plan, COMMIT): each round trip costs the consumer far more CPU than the
   * database's work for a batch of a few events, and knex would add a few times more.
   */
  async function runBatchTransaction<T>(lock: PartitionLock, work: (tx: BatchTransaction) => Promise<T>): Promise<T> {
    const connection = await acquirePgConnection(knex);
    try {
      // The lock is its own statement, after BEGIN: reads taken in a statement that waited for it
      // would use a snapshot from before the previous holder committed.
      await connection.sql.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext(${escapeLiteral(partitionLockKey(lock))}))`);
      const result = await work({
        async loadState(eventIds, orderIds) {
          return toBatchState(await connection.sql.query<StateRow>(LOAD_STATE_SQL, [unquotedArray(eventIds), textArray(orderIds)]));
        },
        async writePlan(plan) {
          await connection.sql.query(WRITE_PLAN_SQL, writePlanValues(plan));
        },
      });
      await connection.raw.query('COMMIT');
      return result;
    } catch (error) {
      await connection.raw.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  }

  return withDatabaseErrors({
    /**
     * Runs `work` in one transaction that holds `lock` (batches of one partition apply one at a
     * time): everything it writes commits together or not at all. A
     * unique violation means a transaction of ANOTHER partition wrote the same event or order
     * after this one read its state (partitions lock separately): a lost race, like a
     * serialisation failure, so `work` runs again and then sees that row as known. A violation
     * that outlasts a few attempts is no race, and fails as the error it is.
     */
    async inBatchTransaction<T>(lock: PartitionLock, work: (tx: BatchTransaction) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await runBatchTransaction(lock, work);
        } catch (error) {
          if (sqlStateOf(error) !== UNIQUE_VIOLATION || attempt >= UNIQUE_RACE_ATTEMPTS) throw error;
        }
      }
    },

    async findOrder(orderId: string): Promise<OrderRecord | undefined> {
      const row = (await ordersWithStock(knex).where('orders.order_id', orderId).first()) as OrderRow | undefined;
      if (!row) return undefined;
      const items = (await knex('order_items').where({ order_id: orderId }).orderBy('line_number')) as Array<{
        item_id: string;
        quantity: number;
        price: string;
      }>;
      const summary = toSummary(row);
      return { ...summary, items: items.map((item) => ({ itemId: item.item_id, quantity: item.quantity, price: item.price })) };
    },

    async listOrders({ status, stockState, page, pageSize }: { status?: OrderStatus; stockState?: OrderStockState; page: number; pageSize: number }): Promise<OrderPage> {
      const filtered = (query: Knex.QueryBuilder) => {
        if (status) void query.where('orders.status', status);
        if (stockState === 'awaiting') void query.whereNull('order_stock.state');
        else if (stockState) void query.where('order_stock.state', stockState);
      };
      const [countRow] = (await knex('orders')
        .leftJoin('order_stock', 'orders.order_id', 'order_stock.order_id')
        .modify(filtered)
        .count<Array<{ count: string }>>({ count: '*' })) as Array<{ count: string }>;
      const rows = (await ordersWithStock(knex)
        .modify(filtered)
        .orderBy('orders.order_id')
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
