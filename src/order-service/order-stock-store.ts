import { withDatabaseErrors, type Knex } from '../lib/db';
import type { ValidInventoryEvent } from '../lib/inventory-events';
import { nextStockState, type OrderStockState } from './stock-state';

/**
 * The order service's record of what the inventory service announced: each inventory event once
 * (by event id), and each order's stock state, which only moves forward.
 */
export function createOrderStockStore({ knex }: { knex: Knex }) {
  return withDatabaseErrors({
    /** Applies a batch in one transaction; resolves with the events applied now (not those applied before). */
    async applyBatch(events: readonly ValidInventoryEvent[]): Promise<ValidInventoryEvent[]> {
      const unique = [...new Map(events.map((event) => [event.eventId, event])).values()];
      return knex.transaction(async (trx) => {
        const { rows } = (await trx.raw(
          `INSERT INTO order_stock_events (event_id, order_id, event_type, state, causation_event_id, details, topic, partition, "offset", occurred_at)
           SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::uuid[], ?::jsonb[], ?::text[], ?::int[], ?::bigint[], ?::timestamptz[])
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id::text`,
          [
            unique.map((event) => event.eventId),
            unique.map((event) => event.orderId),
            unique.map((event) => event.type),
            unique.map((event) => event.state),
            unique.map((event) => event.causationEventId),
            unique.map((event) => JSON.stringify(event.type === 'InventoryRejected' ? { shortItems: event.shortItems } : { items: event.items })),
            unique.map((event) => event.position.topic),
            unique.map((event) => event.position.partition),
            unique.map((event) => event.position.offset),
            unique.map((event) => event.occurredAt),
          ],
        )) as { rows: Array<{ event_id: string }> };
        const fresh = new Set(rows.map((row) => row.event_id));
        const applied = unique.filter((event) => fresh.has(event.eventId));
        if (applied.length === 0) return applied;

        const orderIds = [...new Set(applied.map((event) => event.orderId))];
        const current = (await trx.raw('SELECT order_id, state FROM order_stock WHERE order_id = ANY(?) FOR UPDATE', [orderIds])) as { rows: Array<{ order_id: string; state: OrderStockState }> };
        const states = new Map<string, OrderStockState>(current.rows.map((row) => [row.order_id, row.state]));
        const changes = new Map<string, { state: OrderStockState; eventId: string }>();
        for (const event of applied) {
          const before = states.get(event.orderId) ?? 'awaiting';
          const after = nextStockState(before, event.state);
          if (after === before) continue;
          states.set(event.orderId, after);
          changes.set(event.orderId, { state: after, eventId: event.eventId });
        }
        if (changes.size > 0) {
          const changed = [...changes];
          await trx.raw(
            `INSERT INTO order_stock (order_id, state, event_id) SELECT * FROM unnest(?::text[], ?::text[], ?::uuid[])
             ON CONFLICT (order_id) DO UPDATE SET state = excluded.state, event_id = excluded.event_id, updated_at = now()
             WHERE order_stock.state IN ('reserved', 'rejected') AND excluded.state IN ('released', 'committed')`,
            [changed.map(([orderId]) => orderId), changed.map(([, change]) => change.state), changed.map(([, change]) => change.eventId)],
          );
        }
        return applied;
      });
    },
  });
}

export type OrderStockStore = ReturnType<typeof createOrderStockStore>;
