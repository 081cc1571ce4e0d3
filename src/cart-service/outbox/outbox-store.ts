import { byteaArray, databaseError, textArray, unquotedArray, withDatabaseErrors, type Knex, type SqlTransaction } from '../../lib/db';
import { timeDbOperation, type Metrics } from '../../lib/metrics';

/** Where a write's event stands: waiting for the relay, held for an operator (Kafka refuses it), or acknowledged by Kafka. */
export type PublicationState = 'pending' | 'held' | 'published';

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
const PARKED = 'cart_outbox_parked';

/**
 * The insert of `entries` into the outbox as one statement, its parameters numbered from `first`
 * so it can follow other parts of a statement; `text(filter)` may narrow the rows with a WHERE
 * clause over `entry` (its columns are the OutboxEntry's). One array per column (unnest), inserted
 * in array order, so ids follow the entries' order and an order's later event gets the larger id.
 * It returns each row's `id`, `event_id` and `order_id`.
 */
export function outboxInsert(entries: OutboxEntry[], first: number): { text(filter: string): string; values: unknown[] } {
  const types = ['uuid', 'text', 'text', 'text', 'text', 'bytea', 'int', 'jsonb'];
  const arrays = types.map((type, index) => `$${first + index}::${type}[]`).join(', ');
  return {
    text: (filter) =>
      `INSERT INTO ${TABLE} (event_id, event_type, order_id, topic, message_key, value, schema_id, headers)
       SELECT event_id, event_type, order_id, topic, message_key, value, schema_id, headers
       FROM unnest(${arrays}) WITH ORDINALITY AS entry(event_id, event_type, order_id, topic, message_key, value, schema_id, headers, position)
       ${filter}
       ORDER BY position
       RETURNING id, event_id, order_id`,
    // Array literals built here, not by pg element by element (see pg-array.ts).
    values: [
      unquotedArray(entries.map((entry) => entry.eventId)),
      textArray(entries.map((entry) => entry.eventType)),
      textArray(entries.map((entry) => entry.orderId)),
      textArray(entries.map((entry) => entry.topic)),
      textArray(entries.map((entry) => entry.key)),
      byteaArray(entries.map((entry) => entry.value)),
      unquotedArray(entries.map((entry) => entry.schemaId)),
      textArray(entries.map((entry) => JSON.stringify(entry.headers))),
    ],
  };
}

/** The request side of the outbox (table `cart_outbox`); the relay reads and deletes through its own session. */
export function createOutboxStore({ knex, metrics }: { knex: Knex; metrics: Metrics }) {
  return withDatabaseErrors({
    /**
     * Adds `entries` in the caller's transaction and returns their outbox ids in the same order.
     * Ids are drawn row by row in the order given, so an order's later event gets the larger id.
     */
    async insert(tx: SqlTransaction, entries: OutboxEntry[]): Promise<string[]> {
      if (entries.length === 0) return [];
      const statement = outboxInsert(entries, 1);
      const inserted = await timeDbOperation(metrics, 'cart_outbox.insert', () => tx.query<{ id: string; event_id: string }>(statement.text(''), statement.values));
      const idOf = new Map(inserted.map((row) => [row.event_id, String(row.id)]));
      return entries.map((entry) => {
        const id = idOf.get(entry.eventId);
        if (id === undefined) throw new Error(`the outbox returned no id for event ${entry.eventId}`);
        return id;
      });
    },

    /** Where the outbox row `outboxId` stands: waiting for the relay, held (parked) for an operator, or published (gone). */
    async publicationOf(outboxId: string): Promise<PublicationState> {
      const { rows } = (await knex.raw(`SELECT 'pending' AS state FROM ${TABLE} WHERE id = ? UNION ALL SELECT 'held' FROM ${PARKED} WHERE id = ?`, [
        outboxId,
        outboxId,
      ])) as { rows: Array<{ state: 'pending' | 'held' }> };
      return rows[0]?.state ?? 'published';
    },

  });
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;

/** Rows waiting in the outbox and the age of the oldest, for the outbox gauges. */
export async function outboxDepth(knex: Knex): Promise<{ rows: number; oldestAgeSeconds: number }> {
  const row: { rows: string; age: string | null } | undefined = await knex(TABLE)
    .select(knex.raw('count(*) AS rows'), knex.raw('extract(epoch FROM now() - min(created_at)) AS age'))
    .first()
    .catch((error: unknown) => {
      throw databaseError(error);
    });
  return { rows: Number(row?.rows ?? 0), oldestAgeSeconds: Number(row?.age ?? 0) };
}
