import type { IHeaders, KafkaMessage } from 'kafkajs';
import { AppError } from '../errors';
import { withDatabaseErrors, type Knex } from '../lib/db';

/** Where a record sits in Kafka. */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** A dead letter as the index holds it. */
export interface DeadLetter {
  /** The dlq-record-id header (`<source topic>/<partition>/<offset>`), or the dead letter's own position when it has none. */
  recordId: string;
  deadLetteredAt: string;
  /** Where the dead letter itself sits (the first copy indexed). */
  deadLetter: RecordPosition;
  /** Where the record was when it was refused, from the dlq-source-* headers. */
  source: RecordPosition | null;
  errorCode: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  eventType: string | null;
  eventId: string | null;
  key: Buffer | null;
  value: Buffer | null;
  /** Every header, dlq-* included, as text. */
  headers: Record<string, string>;
  replay: { replayedAt: string; replayedBy: string; partition: number; offset: string } | null;
}

export interface DeadLetterPage {
  deadLetters: DeadLetter[];
  total: number;
}

interface DeadLetterRow {
  record_id: string;
  dlq_topic: string;
  dlq_partition: number;
  dlq_offset: string;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  error_code: string | null;
  error_kind: string | null;
  error_message: string | null;
  event_type: string | null;
  event_id: string | null;
  message_key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  dead_lettered_at: Date;
  replayed_at: Date | null;
  replayed_by: string | null;
  replay_partition: number | null;
  replay_offset: string | null;
}

const TABLE = 'dead_letters';

/** Header values as text (the dlq-* headers are text; a binary header of another producer is kept as its UTF-8 reading). */
export function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    text[name] = values.map((one) => (Buffer.isBuffer(one) ? one.toString('utf8') : String(one))).join(',');
  }
  return text;
}

function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d{1,10}$/.test(text) ? Number(text) : null;
}

/** The index row of a record read from the dead-letter topic. */
export function deadLetterRowOf(dlqTopic: string, dlqPartition: number, message: KafkaMessage): Omit<DeadLetterRow, 'replayed_at' | 'replayed_by' | 'replay_partition' | 'replay_offset'> {
  const headers = headersAsText(message.headers);
  const sourcePartition = wholeNumber(headers['dlq-source-partition']);
  const sourceOffset = headers['dlq-source-offset'];
  const hasSource = headers['dlq-source-topic'] !== undefined && sourcePartition !== null && sourceOffset !== undefined && /^\d{1,19}$/.test(sourceOffset);
  return {
    record_id: headers['dlq-record-id'] ?? `${dlqTopic}/${dlqPartition}/${message.offset}`,
    dlq_topic: dlqTopic,
    dlq_partition: dlqPartition,
    dlq_offset: message.offset,
    source_topic: hasSource ? headers['dlq-source-topic']! : null,
    source_partition: hasSource ? sourcePartition : null,
    source_offset: hasSource ? sourceOffset : null,
    error_code: headers['dlq-error-code'] ?? null,
    error_kind: headers['dlq-error-kind'] ?? null,
    error_message: headers['dlq-error-message'] ?? null,
    event_type: headers['dlq-event-type'] ?? null,
    event_id: headers['dlq-event-id'] ?? null,
    message_key: message.key ?? null,
    value: message.value ?? null,
    headers,
    dead_lettered_at: new Date(Number(message.timestamp)),
  };
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    recordId: row.record_id,
    deadLetteredAt: row.dead_lettered_at.toISOString(),
    deadLetter: { topic: row.dlq_topic, partition: row.dlq_partition, offset: String(row.dlq_offset) },
    source: row.source_topic !== null && row.source_partition !== null && row.source_offset !== null ? { topic: row.source_topic, partition: row.source_partition, offset: String(row.source_offset) } : null,
    errorCode: row.error_code,
    errorKind: row.error_kind,
    errorMessage: row.error_message,
    eventType: row.event_type,
    eventId: row.event_id,
    key: row.message_key,
    value: row.value,
    headers: row.headers,
    replay:
      row.replayed_at !== null && row.replayed_by !== null && row.replay_partition !== null && row.replay_offset !== null
        ? { replayedAt: row.replayed_at.toISOString(), replayedBy: row.replayed_by, partition: row.replay_partition, offset: String(row.replay_offset) }
        : null,
  };
}

/** What the dead-letter APIs read and write. */
export function createDeadLetterStore(knex: Knex) {
  return withDatabaseErrors({
    /** Adds dead letters read from the topic; a copy of one already indexed (same record id) changes nothing. Resolves with how many were new. */
    async index(rows: Array<ReturnType<typeof deadLetterRowOf>>): Promise<number> {
      if (rows.length === 0) return 0;
      const inserted = (await knex(TABLE)
        .insert(rows.map((row) => ({ ...row, headers: JSON.stringify(row.headers) })))
        .onConflict('record_id')
        .ignore()
        .returning('record_id')) as Array<{ record_id: string }>;
      return inserted.length;
    },

    /** A page of dead letters, newest first, optionally only those replayed or not. */
    async list({ page, pageSize, replayed }: { page: number; pageSize: number; replayed?: boolean }): Promise<DeadLetterPage> {
      const base = knex(TABLE).modify((query) => {
        if (replayed === true) void query.whereNotNull('replayed_at');
        if (replayed === false) void query.whereNull('replayed_at');
      });
      const [countRow] = (await base.clone().count<Array<{ count: string }>>({ count: '*' })) as Array<{ count: string }>;
      const rows = (await base
        .clone()
        .select('*')
        .orderBy([
          { column: 'dead_lettered_at', order: 'desc' },
          { column: 'record_id', order: 'asc' },
        ])
        .offset((page - 1) * pageSize)
        .limit(pageSize)) as DeadLetterRow[];
      return { deadLetters: rows.map(toDeadLetter), total: Number(countRow?.count ?? 0) };
    },

    async find(recordId: string): Promise<DeadLetter | undefined> {
      const row = (await knex(TABLE).where({ record_id: recordId }).first()) as DeadLetterRow | undefined;
      return row ? toDeadLetter(row) : undefined;
    },

    /**
     * Replays `recordId` once: under the row's lock, `publish` sends it (resolving where Kafka put
     * it), and the replay is recorded in the same transaction. A record already replayed is a
     * CONFLICT naming when and by whom; when `publish` fails, nothing is recorded.
     */
    async replayOnce(recordId: string, replayedBy: string, publish: (deadLetter: DeadLetter) => Promise<{ partition: number; offset: string }>): Promise<DeadLetter> {
      return knex.transaction(async (trx) => {
        const row = (await trx(TABLE).where({ record_id: recordId }).forUpdate().first()) as DeadLetterRow | undefined;
        if (!row) throw new AppError('NOT_FOUND', `no dead letter '${recordId}'`);
        const deadLetter = toDeadLetter(row);
        if (deadLetter.replay) {
          throw new AppError('CONFLICT', `dead letter '${recordId}' was already replayed, by ${deadLetter.replay.replayedBy} at ${deadLetter.replay.replayedAt}`);
        }
        const position = await publish(deadLetter);
        const [updated] = (await trx(TABLE)
          .where({ record_id: recordId })
          .update({ replayed_at: trx.fn.now(), replayed_by: replayedBy, replay_partition: position.partition, replay_offset: position.offset })
          .returning('*')) as DeadLetterRow[];
        return toDeadLetter(updated!);
      });
    },
  });
}

export type DeadLetterStore = ReturnType<typeof createDeadLetterStore>;
