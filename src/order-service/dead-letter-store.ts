import type { KafkaMessage } from 'kafkajs';
import { AppError } from '../errors';
import { withDatabaseErrors, type Knex } from '../lib/db';
import { deadLetterRecordId, DLQ_HEADERS, RECORD_ID_PATTERN } from '../lib/consumer';
import { headersAsText, storeHeaders, TOPIC_NAME, type StoredHeader } from '../lib/kafka';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER } from '../lib/registry';

/** A replay claim older than this whose acknowledgement was never recorded is stale: it may be taken again (well past a send's own timeout and retries). */
export const STALE_REPLAY_CLAIM_SECONDS = 120;

/** No replay of a dead letter is under way: never claimed, replayed, or its claim gone stale (bind the stale age in seconds). */
const NO_REPLAY_UNDER_WAY = '(replay_started_at IS NULL OR replayed_at IS NOT NULL OR replay_started_at < now() - make_interval(secs => ?))';

/** Where a replayed record landed, as far as Kafka's acknowledgement said. */
export interface ReplayPosition {
  partition: number | null;
  offset: string | null;
}

/** Where a record sits in Kafka. */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** A replay: claimed by someone at a time, then (once Kafka acknowledged it) where it landed. */
export interface Replay {
  replayedBy: string;
  startedAt: string;
  /** Null while the replay is in progress (or was interrupted before Kafka's acknowledgement was recorded). */
  replayedAt: string | null;
  partition: number | null;
  offset: string | null;
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
  /** The record's headers as it carried them (bytes, repeats and order kept). */
  storedHeaders: StoredHeader[];
  replay: Replay | null;
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
  headers: StoredHeader[];
  dead_lettered_at: Date;
  replay_started_at: Date | null;
  replayed_by: string | null;
  replayed_at: Date | null;
  replay_partition: number | null;
  replay_offset: string | null;
}

type IndexRow = Omit<DeadLetterRow, 'replay_started_at' | 'replayed_by' | 'replayed_at' | 'replay_partition' | 'replay_offset'>;

const TABLE = 'dead_letters';

const RECORD_ID = new RegExp(RECORD_ID_PATTERN);
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOPIC_PATTERN = new RegExp(`^${TOPIC_NAME}$`);

/**
 * A header's text as a database text column can hold it. A dead letter's headers come from
 * whoever produced the refused record: PostgreSQL text takes no NUL character.
 */
function columnText(value: string | string[] | undefined, pattern?: RegExp): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return null;
  const text = first.replaceAll('\u0000', '');
  return pattern === undefined || pattern.test(text) ? text : null;
}

/** The index row of a record read from the dead-letter topic; headers that do not hold what they should are left out. */
export function deadLetterRowOf(dlqTopic: string, dlqPartition: number, message: KafkaMessage): IndexRow {
  const headers = headersAsText(message.headers);
  const sourceTopic = columnText(headers[DLQ_HEADERS.sourceTopic], TOPIC_PATTERN);
  const sourcePartition = columnText(headers[DLQ_HEADERS.sourcePartition], /^\d{1,10}$/);
  const sourceOffset = columnText(headers[DLQ_HEADERS.sourceOffset], /^\d{1,19}$/);
  const hasSource = sourceTopic !== null && sourcePartition !== null && sourceOffset !== null;
  return {
    record_id: columnText(headers[DLQ_HEADERS.recordId], RECORD_ID) ?? deadLetterRecordId(dlqTopic, dlqPartition, message.offset),
    dlq_topic: dlqTopic,
    dlq_partition: dlqPartition,
    dlq_offset: message.offset,
    source_topic: hasSource ? sourceTopic : null,
    source_partition: hasSource ? Number(sourcePartition) : null,
    source_offset: hasSource ? sourceOffset : null,
    error_code: columnText(headers[DLQ_HEADERS.errorCode]),
    error_kind: columnText(headers[DLQ_HEADERS.errorKind]),
    error_message: columnText(headers[DLQ_HEADERS.errorMessage]),
    // A record that failed processing was decoded, but only its producer's headers name its event.
    event_type: columnText(headers[DLQ_HEADERS.eventType] ?? headers[EVENT_TYPE_HEADER]),
    event_id: columnText(headers[DLQ_HEADERS.eventId] ?? headers[EVENT_ID_HEADER], UUID_PATTERN),
    message_key: message.key ?? null,
    value: message.value ?? null,
    headers: storeHeaders(message.headers),
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
    storedHeaders: row.headers,
    replay:
      row.replay_started_at !== null && row.replayed_by !== null
        ? {
            replayedBy: row.replayed_by,
            startedAt: row.replay_started_at.toISOString(),
            replayedAt: row.replayed_at?.toISOString() ?? null,
            partition: row.replay_partition,
            offset: row.replay_offset === null ? null : String(row.replay_offset),
          }
        : null,
  };
}

/** What the dead-letter APIs read and write. */
export function createDeadLetterStore(knex: Knex) {
  async function find(recordId: string): Promise<DeadLetter | undefined> {
    const row = (await knex(TABLE).where({ record_id: recordId }).first()) as DeadLetterRow | undefined;
    return row ? toDeadLetter(row) : undefined;
  }

  return withDatabaseErrors({
    /** Adds dead letters read from the topic; a copy of one already indexed (same record id) changes nothing. Resolves with how many were new. */
    async index(rows: IndexRow[]): Promise<number> {
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
        if (replayed === true) void query.whereNotNull('replay_started_at');
        if (replayed === false) void query.whereNull('replay_started_at');
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

    find,

    /**
     * Claims `recordId` for a replay by `replayedBy`: only one replay at a time, and once. A claim
     * older than `staleAfterSeconds` that never recorded Kafka's acknowledgement (its process died,
     * or the database went away meanwhile) may be claimed again. NOT_FOUND for no such dead letter;
     * CONFLICT naming who and when for one replayed or being replayed.
     */
    async claimReplay(recordId: string, replayedBy: string, staleAfterSeconds: number): Promise<DeadLetter> {
      const [claimed] = (await knex(TABLE)
        .where({ record_id: recordId })
        .whereNull('replayed_at')
        .andWhereRaw(NO_REPLAY_UNDER_WAY, [staleAfterSeconds])
        .update({ replay_started_at: knex.fn.now(), replayed_by: replayedBy })
        .returning('*')) as DeadLetterRow[];
      if (claimed) return toDeadLetter(claimed);
      const existing = await find(recordId);
      if (!existing?.replay) throw new AppError('NOT_FOUND', `no dead letter '${recordId}'`);
      const { replayedBy: by, startedAt, replayedAt } = existing.replay;
      throw new AppError('CONFLICT', replayedAt ? `dead letter '${recordId}' was already replayed, by ${by} at ${replayedAt}` : `dead letter '${recordId}' is being replayed, by ${by} since ${startedAt}`);
    },

    /** Gives up a claim whose record was not published, so it can be replayed again. */
    async releaseReplay(recordId: string, claim: Replay): Promise<void> {
      // This claim only (a stale one may have been taken over since): its start, to the millisecond a Date keeps.
      await knex(TABLE)
        .where({ record_id: recordId, replayed_by: claim.replayedBy })
        .whereNull('replayed_at')
        .andWhere(knex.raw("date_trunc('milliseconds', replay_started_at) = ?", [claim.startedAt]))
        .update({ replay_started_at: null, replayed_by: null });
    },

    /** Records where Kafka put the replayed record. */
    async recordReplay(recordId: string, position: ReplayPosition): Promise<DeadLetter> {
      const [updated] = (await knex(TABLE)
        .where({ record_id: recordId })
        .update({ replayed_at: knex.fn.now(), replay_partition: position.partition, replay_offset: position.offset })
        .returning('*')) as DeadLetterRow[];
      if (!updated) throw new AppError('NOT_FOUND', `no dead letter '${recordId}'`);
      return toDeadLetter(updated);
    },

    /**
     * Deletes dead letters dead-lettered before `before`, at most `limit`, except one whose replay
     * is under way; resolves with how many.
     */
    async prune(before: Date, limit: number): Promise<number> {
      // The condition stands in the DELETE itself, not only in the subquery that picks the rows:
      // a row a replay claimed meanwhile is checked again in its new version, and kept.
      const prunable = `dead_lettered_at < ? AND ${NO_REPLAY_UNDER_WAY}`;
      const result = (await knex.raw(`DELETE FROM ${TABLE} WHERE ${prunable} AND record_id IN (SELECT record_id FROM ${TABLE} WHERE ${prunable} LIMIT ?)`, [
        before,
        STALE_REPLAY_CLAIM_SECONDS,
        before,
        STALE_REPLAY_CLAIM_SECONDS,
        limit,
      ])) as { rowCount: number };
      return result.rowCount;
    },
  });
}

export type DeadLetterStore = ReturnType<typeof createDeadLetterStore>;
