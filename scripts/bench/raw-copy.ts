/**
 * The consumer benchmark's ceiling: the rows the order service ends up with for a set of events
 * (each order with its final status, its items, one history row per event), written with
 * PostgreSQL's COPY and no decoding, checking or planning at all.
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { shippingCost } from '../../src/domain';
import { acquirePgConnection, type Knex } from '../../src/lib/db';
import type { OrderEvent } from '../../src/lib/registry';

/** A COPY text-format line: tab-separated, `\N` for null (no value here holds a tab, newline or backslash). */
const line = (values: Array<string | number | null>): string => `${values.map((value) => (value === null ? '\\N' : String(value))).join('\t')}\n`;

/** The three tables' rows for `events` (keyed as the topic holds them), as COPY text. */
function rowsOf(events: ReadonlyArray<{ key: string; event: OrderEvent }>, topic: string): { orders: string[]; items: string[]; history: string[] } {
  const finalStatus = new Map<string, string>();
  for (const { key, event } of events) finalStatus.set(key, String(event.type === 'OrderCreated' ? event.event.order.status : event.event.status));
  const now = new Date().toISOString();
  const orders: string[] = [];
  const items: string[] = [];
  const history: string[] = [];
  events.forEach(({ key, event }, offset) => {
    if (event.type === 'OrderCreated') {
      const { order } = event.event;
      orders.push(line([order.orderId, order.customerId, new Date(order.orderDate).toISOString(), order.currency, order.totalAmount.toFixed(2), shippingCost(order.totalAmount).toFixed(2), finalStatus.get(key) ?? 'pending', topic, now, now]));
      order.items.forEach((item, index) => items.push(line([order.orderId, index + 1, item.itemId, item.quantity, item.price.toFixed(2)])));
      history.push(line([event.event.eventId, order.orderId, 'OrderCreated', String(order.status), 'applied', null, topic, 0, offset, new Date(event.event.occurredAt).toISOString(), now]));
    } else {
      history.push(line([event.event.eventId, key, 'OrderStatusUpdated', String(event.event.status), 'applied', null, topic, 0, offset, new Date(event.event.occurredAt).toISOString(), now]));
    }
  });
  return { orders, items, history };
}

/** COPYs the rows of `events` into the (migrated, empty) tables of `knex`'s schema; resolves with the seconds it took. */
export async function copyRows(knex: Knex, events: ReadonlyArray<{ key: string; event: OrderEvent }>, topic: string): Promise<number> {
  const connection = await acquirePgConnection(knex);
  // The pg client of knex's pool: pg-copy-streams runs its COPY on it as a query.
  const client = connection.raw as unknown as { query<T>(stream: T): T };
  const started = process.hrtime.bigint();
  try {
    const { orders, items, history } = rowsOf(events, topic);
    await connection.sql.query('BEGIN');
    const copy = (table: string, columns: string, lines: string[]) => pipeline(Readable.from(lines), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
    await copy('orders', 'order_id, customer_id, order_date, currency, total_amount, shipping_cost, status, source_topic, created_at, updated_at', orders);
    await copy('order_items', 'order_id, line_number, item_id, quantity, price', items);
    await copy('order_events', 'event_id, order_id, event_type, status, outcome, reason, topic, partition, "offset", occurred_at, recorded_at', history);
    await connection.sql.query('COMMIT');
    return Number(process.hrtime.bigint() - started) / 1e9;
  } catch (error) {
    await connection.sql.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}
