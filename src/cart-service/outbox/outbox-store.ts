import type { Knex } from '../../lib/db';
import { timeDbOperation, type Metrics } from '../../lib/metrics';

/** An event a write owes Kafka, encoded and ready to send. */
export interface OutboxEntry {
  eventId: string;
  eventType: string;
  orderId: string;
  topic: string;
  /** The Kafka record key (the order id). */
  key: string;
  /** Confluent wire format: magic byte, schema id, Avro body. */
  value: Buffer;
  schemaId: number;
  headers: Record<string, string>;
}

const TABLE = 'cart_outbox';

/** The request side of the outbox (table `cart_outbox`); the relay reads and deletes through its own session. */
export function createOutboxStore({ knex, metrics }: { knex: Knex; metrics: Metrics }) {
  return {
    /**
     * Adds `entries` in the caller's transaction and returns their outbox ids in the same order.
     * Ids are drawn row by row in the order given, so an order's later event gets the larger id.
     */
    async insert(trx: Knex.Transaction, entries: OutboxEntry[]): Promise<string[]> {
      if (entries.length === 0) return [];
      const rows = entries.map((entry) => ({
        event_id: entry.eventId,
        event_type: entry.eventType,
        order_id: entry.orderId,
        topic: entry.topic,
        message_key: entry.key,
        value: entry.value,
        schema_id: entry.schemaId,
        headers: entry.headers,
      }));
      const inserted: Array<{ id: string; event_id: string }> = await timeDbOperation(metrics, 'cart_outbox.insert', () =>
        trx(TABLE).insert(rows).returning(['id', 'event_id']),
      );
      const idOf = new Map(inserted.map((row) => [row.event_id, String(row.id)]));
      return entries.map((entry) => {
        const id = idOf.get(entry.eventId);
        if (id === undefined) throw new Error(`the outbox returned no id for event ${entry.eventId}`);
        return id;
      });
    },

    /** Which of `outboxIds` still wait to be published. */
    async pending(outboxIds: string[]): Promise<Set<string>> {
      if (outboxIds.length === 0) return new Set();
      const rows: Array<{ id: string }> = await knex(TABLE).whereIn('id', outboxIds).select('id');
      return new Set(rows.map((row) => String(row.id)));
    },

  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;

/** Rows waiting in the outbox and the age of the oldest, for the outbox gauges. */
export async function outboxDepth(knex: Knex): Promise<{ rows: number; oldestAgeSeconds: number }> {
  const row: { rows: string; age: string | null } | undefined = await knex(TABLE)
    .select(knex.raw('count(*) AS rows'), knex.raw('extract(epoch FROM now() - min(created_at)) AS age'))
    .first();
  return { rows: Number(row?.rows ?? 0), oldestAgeSeconds: Number(row?.age ?? 0) };
}
