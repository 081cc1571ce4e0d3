import { withDatabaseErrors, type Knex } from '../lib/db';

/** Most events one timeline answer lists; an order's lifecycle is a handful, so more means repeats refused over and over. */
export const MAX_TIMELINE_EVENTS = 1_000;

/** One event of an order as the order service received it. */
export interface TimelineEvent {
  eventId: string;
  eventType: string;
  status: string;
  /** applied; rejected (see reason); or parked: a status update waiting for its order's OrderCreated. */
  outcome: 'applied' | 'rejected' | 'parked';
  reason: string | null;
  topic: string;
  partition: number;
  offset: string;
  occurredAt: string;
  /** When the order service applied, refused or parked it. */
  recordedAt: string;
}

interface TimelineRow {
  event_id: string;
  event_type: string;
  status: string;
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
 * long as the dedup window keeps them) and the status updates parked for it, in the order Kafka
 * delivered them (partition offset), with topic, partition and offset.
 */
export function createOrderTimeline(knex: Knex) {
  return withDatabaseErrors({
    /** The first {@link MAX_TIMELINE_EVENTS} events of `orderId`, oldest first (none for an order never seen), and whether more exist. */
    async eventsOf(orderId: string): Promise<{ events: TimelineEvent[]; truncated: boolean }> {
      const { rows } = (await knex.raw(
        `SELECT event_id, event_type, status, outcome, reason, topic, partition, "offset", occurred_at, recorded_at
           FROM order_events WHERE order_id = ?
         UNION ALL
         SELECT event_id, 'OrderStatusUpdated', status, 'parked', NULL, topic, partition, "offset", occurred_at, received_at
           FROM pending_status_updates WHERE order_id = ?
         ORDER BY topic, partition, "offset"
         LIMIT ?`,
        // One more than listed tells whether more exist.
        [orderId, orderId, MAX_TIMELINE_EVENTS + 1],
      )) as { rows: TimelineRow[] };
      const events = rows.slice(0, MAX_TIMELINE_EVENTS).map((row) => ({
        eventId: row.event_id,
        eventType: row.event_type,
        status: row.status,
        outcome: row.outcome,
        reason: row.reason,
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
