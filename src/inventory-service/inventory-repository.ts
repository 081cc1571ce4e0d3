import type { Knex } from '../lib/db';
import { AppError } from '../errors';
import { databaseError, withDatabaseErrors } from '../lib/db';
import type { ValidEvent } from '../lib/order-events';
import type { InventoryEvent, StockLine } from '../lib/registry';
import { linesOf, type InventoryPlan, type InventoryState, type Reservation, type ReservationState, type StockLevel } from './reservation-planner';

/** An item's stock as the API shows it. */
export interface StockRecord extends StockLevel {
  itemId: string;
  updatedAt: Date;
}

/** The state a batch's transaction reads (locked) and the plan it writes. */
export interface InventoryTransaction {
  loadState(events: readonly ValidEvent[]): Promise<InventoryState>;
  writePlan(plan: InventoryPlan): Promise<void>;
}

export interface InventoryRepository {
  /** Runs `work` in one transaction; rejects (a normalised AppError) with nothing written. */
  inBatchTransaction<T>(work: (tx: InventoryTransaction) => Promise<T>): Promise<T>;
  /** Sets the units free to reserve of an item, creating it when new; what orders hold stays. */
  setAvailable(itemId: string, available: number): Promise<StockRecord>;
  /** Stocks each of `itemIds` never stocked before with `available` units; resolves with those it stocked. */
  stockIfNew(itemIds: readonly string[], available: number): Promise<string[]>;
  stockOf(itemId: string): Promise<StockRecord | undefined>;
  /** Items by id, a page at a time, with how many there are. */
  listStock(page: { limit: number; offset: number }): Promise<{ items: StockRecord[]; total: number }>;
  /** The reservation of an order, if the service decided one. */
  reservationOf(orderId: string): Promise<(Reservation & { orderId: string }) | undefined>;
}

/** The most units an item's stock holds, available and reserved together (PostgreSQL's integer). */
export const MAX_UNITS = 2_147_483_647;

interface StockRow {
  item_id: string;
  available: number;
  reserved: number;
  updated_at: Date;
}

const toStockRecord = (row: StockRow): StockRecord => ({ itemId: row.item_id, available: row.available, reserved: row.reserved, updatedAt: row.updated_at });

/** The stored form of an answer: its fields as JSON, times as ISO strings. */
function answerFromRow(type: string, event: Record<string, unknown>): InventoryEvent {
  return { type, event: { ...event, occurredAt: new Date(String(event.occurredAt)) } } as InventoryEvent;
}

function transactionOf(trx: Knex.Transaction): InventoryTransaction {
  return {
    async loadState(events) {
      const orderIds = [...new Set(events.map((event) => event.orderId))];
      const eventIds = events.map((event) => event.eventId);
      // Reservations first: their lines name the items a cancel or shipment will touch.
      const reservationRows = (await trx.raw('SELECT order_id, state, lines FROM reservations WHERE order_id = ANY(?) FOR UPDATE', [orderIds])) as {
        rows: Array<{ order_id: string; state: ReservationState; lines: StockLine[] }>;
      };
      const reservations = new Map<string, Reservation>(reservationRows.rows.map((row) => [row.order_id, { state: row.state, lines: row.lines }]));
      const itemIds = new Set<string>();
      for (const event of events) for (const { itemId } of event.order ? linesOf(event.order.items) : []) itemIds.add(itemId);
      for (const { lines } of reservations.values()) for (const { itemId } of lines) itemIds.add(itemId);
      // Locked in item order, so batches of different partitions that share items never deadlock.
      const stockRows = (await trx.raw('SELECT item_id, available, reserved FROM stock WHERE item_id = ANY(?) ORDER BY item_id FOR UPDATE', [[...itemIds]])) as {
        rows: StockRow[];
      };
      const answerRows = (await trx.raw('SELECT causation_event_id, event_type, event FROM answers WHERE causation_event_id = ANY(?::uuid[])', [eventIds])) as {
        rows: Array<{ causation_event_id: string; event_type: string; event: Record<string, unknown> }>;
      };
      return {
        stock: new Map(stockRows.rows.map((row) => [row.item_id, { available: row.available, reserved: row.reserved }])),
        reservations,
        answers: new Map(answerRows.rows.map((row) => [row.causation_event_id, answerFromRow(row.event_type, row.event)])),
      };
    },

    async writePlan(plan) {
      if (plan.stock.size > 0) {
        const items = [...plan.stock];
        await trx.raw(
          `UPDATE stock SET available = v.available, reserved = v.reserved, updated_at = now()
           FROM unnest(?::text[], ?::int[], ?::int[]) AS v(item_id, available, reserved) WHERE stock.item_id = v.item_id`,
          [items.map(([itemId]) => itemId), items.map(([, level]) => level.available), items.map(([, level]) => level.reserved)],
        );
      }
      if (plan.reservations.size > 0) {
        const orders = [...plan.reservations];
        await trx.raw(
          `INSERT INTO reservations (order_id, state, lines) SELECT * FROM unnest(?::text[], ?::text[], ?::jsonb[])
           ON CONFLICT (order_id) DO UPDATE SET state = excluded.state, updated_at = now()`,
          [orders.map(([orderId]) => orderId), orders.map(([, reservation]) => reservation.state), orders.map(([, reservation]) => JSON.stringify(reservation.lines))],
        );
      }
      if (plan.answers.size > 0) {
        const answers = [...plan.answers];
        await trx.raw(
          // ON CONFLICT: two instances deciding the same event during a rebalance (an order whose items are all unstocked locks no row) record it once.
          `INSERT INTO answers (causation_event_id, event_id, order_id, event_type, event) SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::jsonb[])
           ON CONFLICT (causation_event_id) DO NOTHING`,
          [
            answers.map(([causationEventId]) => causationEventId),
            answers.map(([, reply]) => reply.event.eventId),
            answers.map(([, reply]) => reply.event.orderId),
            answers.map(([, reply]) => reply.type),
            answers.map(([, reply]) => JSON.stringify(reply.event)),
          ],
        );
      }
    },
  };
}

/** The inventory service's PostgreSQL access (its own schema, through `knex`'s search_path). */
export function createInventoryRepository({ knex }: { knex: Knex }): InventoryRepository {
  const statements = withDatabaseErrors({
    async setAvailable(itemId: string, available: number): Promise<StockRecord> {
      // available + reserved never passes the column's largest value: reservations, releases and
      // shipments only move units between the two or take them out, so none of them can overflow.
      const { rows } = (await knex.raw(
        `INSERT INTO stock (item_id, available) VALUES (?, ?)
         ON CONFLICT (item_id) DO UPDATE SET available = excluded.available, updated_at = now()
         WHERE stock.reserved + excluded.available::bigint <= ?
         RETURNING item_id, available, reserved, updated_at`,
        [itemId, available, MAX_UNITS],
      )) as { rows: StockRow[] };
      const row = rows[0];
      if (!row) throw new AppError('CONFLICT', `item '${itemId}': ${available} available beside what orders hold would pass ${MAX_UNITS} units`);
      return toStockRecord(row);
    },

    async stockIfNew(itemIds: readonly string[], available: number): Promise<string[]> {
      const { rows } = (await knex.raw('INSERT INTO stock (item_id, available) SELECT unnest(?::text[]), ? ON CONFLICT (item_id) DO NOTHING RETURNING item_id', [
        [...itemIds],
        available,
      ])) as { rows: Array<{ item_id: string }> };
      return rows.map((row) => row.item_id);
    },

    async stockOf(itemId: string): Promise<StockRecord | undefined> {
      const row = (await knex('stock').where({ item_id: itemId }).first('item_id', 'available', 'reserved', 'updated_at')) as StockRow | undefined;
      return row && toStockRecord(row);
    },

    async listStock({ limit, offset }: { limit: number; offset: number }): Promise<{ items: StockRecord[]; total: number }> {
      const rows = (await knex('stock').select('item_id', 'available', 'reserved', 'updated_at').orderBy('item_id').limit(limit).offset(offset)) as StockRow[];
      const [count] = (await knex('stock').count({ total: '*' })) as Array<{ total: string }>;
      return { items: rows.map(toStockRecord), total: Number(count?.total ?? 0) };
    },

    async reservationOf(orderId: string): Promise<(Reservation & { orderId: string }) | undefined> {
      const row = (await knex('reservations').where({ order_id: orderId }).first('order_id', 'state', 'lines')) as
        | { order_id: string; state: ReservationState; lines: StockLine[] }
        | undefined;
      return row && { orderId: row.order_id, state: row.state, lines: row.lines };
    },
  });

  return {
    ...statements,
    // Generic, so outside withDatabaseErrors' table; the same normalising.
    inBatchTransaction(work) {
      return knex.transaction((trx) => work(transactionOf(trx))).catch((error: unknown) => {
        throw databaseError(error);
      });
    },
  };
}
