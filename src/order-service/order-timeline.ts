import { withDatabaseErrors, type Knex } from '../lib/db';
import { describeShortItem } from '../lib/inventory-events';

/** Most events one timeline answer lists; an order's lifecycle is a handful, so more means repeats refused over and over. */
export const MAX_TIMELINE_EVENTS = 1_000;

/** One event of an order as the order service received it. */
export interface TimelineEvent {
  /** Null only for a dead letter that could not be decoded. */
  eventId: string | null;
  eventType: string | null;
  /** The order's status the event carried; null for an inventory event and a dead letter. */
  status: string | null;
  /** The stock state an inventory event announced; null for the others. */
  stockState: string | null;
  /**
   * applied; rejected (see reason); parked: a status update waiting for its order's OrderCreated;
   * or dead-lettered: a record of the order sent to the dead-letter topic (reason says why).
   */
  outcome: 'applied' | 'rejected' | 'parked' | 'dead-lettered';
  reason: string | null;
  topic: string;
  partition: number;
  offset: string;
  occurredAt: string;
  /** When the order service applied, refused, parked or dead-lettered it. */
  recordedAt: string;
}

interface TimelineRow {
  event_id: string | null;
  event_type: string | null;
  status: string | null;
  stock_state: string | null;
  short_items: Array<{ itemId: string; requested: number; available: number }> | null;
  outcome: TimelineEvent['outcome'];
  reason: string | null;
  topic: string;
  partition: number;
  offset: string;
  occurred_at: Date;
  recorded_at: Date;
}

/**
 * An order's timeline: every event the order service applied or refused (refused ones for as
 * long as the dedup window keeps them), the status updates parked for it, the inventory events
 * about its stock, and its records of the consumed topics sent to the dead-letter topic (found by
 * key), with topic, partition and offset. The order events come first, then the inventory events,
 * each in the order Kafka delivered them (partition offset).
 */
export function createOrderTimeline(knex: Knex, { orderTopic, inventoryTopic }: { orderTopic: string; inventoryTopic: string }) {
  return withDatabaseErrors({
    /** The first {@link MAX_TIMELINE_EVENTS} events of `orderId`, oldest first (none for an order never seen), and whether more exist. */
    async eventsOf(orderId: string): Promise<{ events: TimelineEvent[]; truncated: boolean }> {
      const { rows } = (await knex.raw(
        `SELECT * FROM (
         SELECT event_id::text, event_type, status, NULL AS stock_state, NULL::jsonb AS short_items, outcome, reason, topic, partition, "offset", occurred_at, recorded_at
           FROM order_events WHERE order_id = ?
         UNION ALL
         SELECT event_id::text, 'OrderStatusUpdated', status, NULL, NULL, 'parked', NULL, topic, partition, "offset", occurred_at, received_at
           FROM pending_status_updates WHERE order_id = ?
         UNION ALL
         SELECT event_id::text, event_type, NULL, state, details->'shortItems', 'applied', NULL, topic, partition, "offset", occurred_at, recorded_at
           FROM order_stock_events WHERE order_id = ?
         UNION ALL
         SELECT event_id, event_type, NULL, NULL, NULL, 'dead-lettered', error_message, source_topic, source_partition, source_offset, dead_lettered_at, indexed_at
           FROM dead_letters WHERE message_key = convert_to(?, 'UTF8') AND source_topic IN (?, ?)
         ) AS timeline
         ORDER BY topic = ? DESC, topic, partition, "offset"
         LIMIT ?`,
        // One more than listed tells whether more exist.
        [orderId, orderId, orderId, orderId, orderTopic, inventoryTopic, orderTopic, MAX_TIMELINE_EVENTS + 1],
      )) as { rows: TimelineRow[] };
      const events = rows.slice(0, MAX_TIMELINE_EVENTS).map((row) => ({
        eventId: row.event_id,
        eventType: row.event_type,
        status: row.status,
        stockState: row.stock_state,
        outcome: row.outcome,
        // A refused reservation says why: each short item, with what was asked and what was there.
        reason: row.short_items ? `short: ${row.short_items.map(describeShortItem).join(', ')}` : row.reason,
        topic: row.topic,
        partition: row.partition,
        offset: String(row.offset),
        occurredAt: row.occurred_at.toISOString(),
        recordedAt: row.recorded_at.toISOString(),
      }));
      return { events, truncated: rows.length > MAX_TIMELINE_EVENTS };
    },
  });
}

export type OrderTimeline = ReturnType<typeof createOrderTimeline>;
