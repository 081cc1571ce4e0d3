import { withDatabaseErrors, type Knex } from '../lib/db';
import { MS_PER_MINUTE } from './query-params';

export interface MinuteCount {
  /** Start of the minute (UTC). */
  minute: string;
  orders: number;
}

export interface ProductSales {
  itemId: string;
  /** Units on order lines of orders not cancelled. */
  unitsSold: number;
  /** Orders (not cancelled) with a line of this item. */
  orders: number;
  /** Sum of price x quantity per currency, exact. */
  revenueByCurrency: Record<string, string>;
}

/** Aggregates over the persisted orders for the analytics API (seed 004's real-time insights). */
export function createOrderAnalytics(knex: Knex) {
  return withDatabaseErrors({
    /**
     * Orders placed (by their order date) in each minute from `from` to `to` (both whole UTC
     * minutes, `to` excluded), every minute listed, empty ones with 0.
     */
    async ordersPerMinute(from: Date, to: Date): Promise<MinuteCount[]> {
      // Minutes since the epoch: integer buckets, the same whatever the session's time zone.
      const { rows } = (await knex.raw(
        `SELECT floor(extract(epoch FROM order_date) / 60)::bigint AS minute, count(*)::int AS orders
           FROM orders WHERE order_date >= ? AND order_date < ? GROUP BY 1`,
        [from, to],
      )) as { rows: Array<{ minute: string; orders: number }> };
      const counted = new Map(rows.map((row) => [Number(row.minute), row.orders]));
      const minutes: MinuteCount[] = [];
      for (let at = from.getTime(); at < to.getTime(); at += MS_PER_MINUTE) {
        minutes.push({ minute: new Date(at).toISOString(), orders: counted.get(at / MS_PER_MINUTE) ?? 0 });
      }
      return minutes;
    },

    /** The `limit` items sold in most units (orders not cancelled), ties by item id. */
    async topProducts(limit: number): Promise<ProductSales[]> {
      const { rows: top } = (await knex.raw(
        `SELECT i.item_id, sum(i.quantity)::bigint AS units, count(DISTINCT i.order_id)::int AS orders
           FROM order_items i JOIN orders o ON o.order_id = i.order_id
          WHERE o.status <> 'cancelled'
          GROUP BY i.item_id ORDER BY units DESC, i.item_id LIMIT ?`,
        [limit],
      )) as { rows: Array<{ item_id: string; units: string; orders: number }> };
      if (top.length === 0) return [];
      const { rows: revenue } = (await knex.raw(
        `SELECT i.item_id, o.currency, sum(i.price * i.quantity)::numeric(20, 2)::text AS revenue
           FROM order_items i JOIN orders o ON o.order_id = i.order_id
          WHERE o.status <> 'cancelled' AND i.item_id = ANY(?::text[])
          GROUP BY i.item_id, o.currency ORDER BY o.currency`,
        [top.map((row) => row.item_id)],
      )) as { rows: Array<{ item_id: string; currency: string; revenue: string }> };
      return top.map((row) => ({
        itemId: row.item_id,
        unitsSold: Number(row.units),
        orders: row.orders,
        revenueByCurrency: Object.fromEntries(revenue.filter((entry) => entry.item_id === row.item_id).map((entry) => [entry.currency, entry.revenue])),
      }));
    },
  });
}

export type OrderAnalytics = ReturnType<typeof createOrderAnalytics>;
