import { withDatabaseErrors, type Knex } from '../lib/db';

/** Most events one timeline answer lists; an order's lifecycle is a handful, so more means repeats refused over and over. */
export const MAX_TIMELINE_EVENTS = 1_000;

/** One event of an order as the order service received it. */
export interface TimelineEvent {
  /** Null only for a dead letter that could not be decoded. */
  eventId: string | null;
  eventType: string | null;
  /** Null for a dead letter. */
  status: string | null;
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
 * long as the dedup window keeps them), the status updates parked for it, and its records of
 * `consumedTopic` sent to the dead-letter topic (found by key), in the order Kafka delivered them (partition offset), with
 * topic, partition and offset.
 */
export function createOrderTimeline(knex: Knex, consumedTopic: string) {
  return withDatabaseErrors({
    /** The first {@link MAX_TIMELINE_EVENTS} events of `orderId`, oldest first (none for an order never seen), and whether more exist. */
    async eventsOf(orderId: string): Promise<{ events: TimelineEvent[]; truncated: boolean }> {
      const { rows } = (await knex.raw(
        `SELECT event_id::text, event_type, status, outcome, reason, topic, partition, "offset", occurred_at, recorded_at
           FROM order_events WHERE order_id = ?
         UNION ALL
         SELECT event_id::text, 'OrderStatusUpdated', status, 'parked', NULL, topic, partition, "offset", occurred_at, received_at
           FROM pending_status_updates WHERE order_id = ?
         UNION ALL
         SELECT event_id, event_type, NULL, 'dead-lettered', error_message, source_topic, source_partition, source_offset, dead_lettered_at, indexed_at
           FROM dead_letters WHERE message_key = convert_to(?, 'UTF8') AND source_topic = ?
         ORDER BY topic, partition, "offset"
         LIMIT ?`,
        // One more than listed tells whether more exist.
        [orderId, orderId, orderId, consumedTopic, MAX_TIMELINE_EVENTS + 1],
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
