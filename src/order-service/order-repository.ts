import type { Knex } from 'knex';
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

// PostgreSQL accepts at most 65,535 bind parameters per statement.
const ROWS_PER_INSERT = 2_000;

function chunks<T>(rows: readonly T[], size = ROWS_PER_INSERT): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < rows.length; start += size) result.push(rows.slice(start, start + size));
  return result;
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

/** Reads and writes the order service's tables; returns plain records. */
export function createOrderRepository({ knex }: { knex: Knex }) {
  function batchTransaction(trx: Knex.Transaction): BatchTransaction {
    return {
      async lockPartition(topic, partition) {
        await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`${topic}/${partition}`]);
      },

      async loadState(eventIds, orderIds) {
        const known = new Set<string>();
        const orderStatuses = new Map<string, OrderStatus>();
        const pending: PendingUpdate[] = [];
        for (const ids of chunks(eventIds, 10_000)) {
          const rows = await trx
            .select('event_id')
            .from('order_events')
            .whereIn('event_id', ids)
            .union((query) => query.select('event_id').from('pending_status_updates').whereIn('event_id', ids));
          for (const row of rows as Array<{ event_id: string }>) known.add(row.event_id);
        }
        for (const ids of chunks(orderIds, 10_000)) {
          const orders = (await trx.select('order_id', 'status').from('orders').whereIn('order_id', ids)) as Array<{ order_id: string; status: string }>;
          for (const row of orders) if (isOrderStatus(row.status)) orderStatuses.set(row.order_id, row.status);
          const parked = (await trx.select('*').from('pending_status_updates').whereIn('order_id', ids)) as Array<{
            event_id: string;
            order_id: string;
            status: string;
            occurred_at: Date;
            topic: string;
            partition: number;
            offset: string;
          }>;
          for (const row of parked) {
            if (!isOrderStatus(row.status)) continue;
            pending.push({
              eventId: row.event_id,
              orderId: row.order_id,
              status: row.status,
              occurredAt: row.occurred_at,
              position: { topic: row.topic, partition: row.partition, offset: String(row.offset) },
            });
          }
        }
        return { knownEventIds: known, orderStatuses, pending };
      },

      async writePlan(plan) {
        const now = new Date();
        for (const rows of chunks(plan.newOrders)) {
          await trx('orders')
            .insert(
              rows.map(({ order, status, shippingCost, sourceTopic }) => ({
                order_id: order.orderId,
                customer_id: order.customerId,
                order_date: order.orderDate,
                currency: order.currency,
                total_amount: order.totalAmount.toFixed(2),
                shipping_cost: shippingCost.toFixed(2),
                status,
                source_topic: sourceTopic,
                created_at: now,
                updated_at: now,
              })),
            )
            .onConflict('order_id')
            .ignore();
        }
        const items = plan.newOrders.flatMap(({ order }) =>
          order.items.map((item, index) => ({
            order_id: order.orderId,
            line_number: index + 1,
            item_id: item.itemId,
            quantity: item.quantity,
            price: item.price.toFixed(2),
          })),
        );
        for (const rows of chunks(items)) await trx('order_items').insert(rows).onConflict(['order_id', 'line_number']).ignore();

        const changes = [...plan.statusChanges.entries()];
        for (const rows of chunks(changes)) {
          const values = rows.map(() => '(?, ?)').join(', ');
          await trx.raw(
            `UPDATE orders SET status = changes.status, updated_at = ? FROM (VALUES ${values}) AS changes(order_id, status) WHERE orders.order_id = changes.order_id`,
            [now, ...rows.flat()],
          );
        }

        for (const rows of chunks(plan.history)) {
          await trx('order_events')
            .insert(
              rows.map((entry) => ({
                event_id: entry.eventId,
                order_id: entry.orderId,
                event_type: entry.type,
                status: entry.status,
                outcome: entry.outcome,
                reason: entry.reason,
                topic: entry.position.topic,
                partition: entry.position.partition,
                offset: entry.position.offset,
                occurred_at: entry.occurredAt,
                recorded_at: now,
              })),
            )
            .onConflict('event_id')
            .ignore();
        }

        for (const rows of chunks(plan.parked)) {
          await trx('pending_status_updates')
            .insert(
              rows.map((update) => ({
                event_id: update.eventId,
                order_id: update.orderId,
                status: update.status,
                occurred_at: update.occurredAt,
                topic: update.position.topic,
                partition: update.position.partition,
                offset: update.position.offset,
                received_at: now,
              })),
            )
            .onConflict('event_id')
            .ignore();
        }
        for (const ids of chunks(plan.unparked, 10_000)) await trx('pending_status_updates').whereIn('event_id', ids).delete();
      },
    };
  }

  return {
    /** Runs `work` in one transaction: everything it writes commits together or not at all. */
    inBatchTransaction<T>(work: (tx: BatchTransaction) => Promise<T>): Promise<T> {
      return knex.transaction((trx) => work(batchTransaction(trx)));
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

    async orderIdsFromTopic(topic: string): Promise<string[]> {
      const rows = (await knex('orders').select('order_id').where({ source_topic: topic }).orderBy('order_id')) as Array<{ order_id: string }>;
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
  };
}

export type OrderRepository = ReturnType<typeof createOrderRepository>;
