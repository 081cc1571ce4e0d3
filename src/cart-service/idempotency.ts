import { createHash } from 'node:crypto';
import stableStringify from 'safe-stable-stringify';
import { AppError } from '../errors';
import { inLockOrder, withDatabaseErrors, type Knex, type SqlTransaction } from '../lib/db';
import { timeDbOperation, type Metrics } from '../lib/metrics';
import { errorAnswer, type Answer } from './answers';

/** A request that carries an Idempotency-Key: the key, and what identifies its request. */
export interface IdempotencyClaim {
  key: string;
  /** Hash of operation and body: the same key with another fingerprint is a misuse (422). */
  fingerprint: string;
}

/** The first answer given to a key, replayed to every repeat. */
export interface StoredAnswer extends Answer {
  fingerprint: string;
  /** The outbox row the answer's write produced, to tell a replay whether it is published yet. */
  outboxId?: string;
}

const MAX_KEY_LENGTH = 255;

/**
 * The Idempotency-Key header values accepted, as a JSON Schema pattern and the parser's own rule:
 * a structured-field string (RFC 8941: quoted, `\"` and `\\` escaped) of 1 to 255 visible ASCII
 * characters, or a bare key of 1 to 255 visible ASCII characters that does not start with a quote.
 * Each character has one reading, so matching never backtracks far.
 */
export const IDEMPOTENCY_KEY_PATTERN = String.raw`^(?:"(?:[\x21\x23-\x5b\x5d-\x7e]|\\["\\]){1,${MAX_KEY_LENGTH}}"|[\x21\x23-\x7e][\x21-\x7e]{0,${MAX_KEY_LENGTH - 1}})$`;
const KEY_HEADER = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/**
 * Reads the Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header): a structured-field
 * string such as `"8e03978e-40d5-43e8-bc93-6894a57f9324"`; the bare token is accepted too.
 * Absent → undefined; anything else than IDEMPOTENCY_KEY_PATTERN → 400.
 */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  // HTTP's optional whitespace around a field value (spaces and tabs), and nothing else.
  const value = header.replace(/^[ \t]+|[ \t]+$/g, '');
  if (!KEY_HEADER.test(value)) {
    throw new AppError('VALIDATION_FAILED', `the Idempotency-Key header must be a quoted string or a bare key of 1 to ${MAX_KEY_LENGTH} visible ASCII characters`, {
      fieldErrors: [{ field: 'Idempotency-Key', message: `expected a quoted string ("...") or a bare key of 1 to ${MAX_KEY_LENGTH} visible ASCII characters` }],
    });
  }
  return value.startsWith('"') ? value.slice(1, -1).replace(/\\(["\\])/g, '$1') : value;
}

/** What identifies a request for its key: the operation and the body (key order and number spelling do not matter). */
export function fingerprintOf(operation: string, body: unknown): string {
  return createHash('sha256').update(`${operation}\n${stableStringify(body) ?? ''}`).digest('base64url');
}

export function keyReused(key: string): AppError {
  return new AppError('IDEMPOTENCY_KEY_REUSED', `the Idempotency-Key '${key}' was first used with another request; send a new key for a new request`);
}

/**
 * What a repeat of `claim` gets from the answer stored for its key: that answer, with the outbox
 * row its write produced (to tell whether it is published yet); or 422 when the key first came
 * with another request.
 */
export function replayOf(stored: StoredAnswer, claim: IdempotencyClaim): { answer: Answer; outboxId?: string } {
  if (stored.fingerprint !== claim.fingerprint) return { answer: errorAnswer(keyReused(claim.key)) };
  return { answer: stored, ...(stored.outboxId === undefined ? {} : { outboxId: stored.outboxId }) };
}

interface KeyRow {
  idempotency_key: string;
  fingerprint: string;
  status: number | null;
  body: Answer['body'] | null;
  outbox_id: string | null;
}

const TABLE = 'cart_idempotency_keys';

/**
 * The answers given to Idempotency-Keys (table `cart_idempotency_keys`). A key is claimed and
 * answered inside the transaction of the write it answers, so the answer exists exactly when
 * the write does; a concurrent claim of the same key waits for that transaction, then sees it.
 */
export function createIdempotencyStore({ metrics, ttlSeconds }: { metrics: Metrics; ttlSeconds: number }) {
  return withDatabaseErrors({
    /**
     * Claims the keys that are new (or whose record outlived the TTL) and returns them; any other
     * key already has an answer, to be read with `find`.
     */
    async claim(tx: SqlTransaction, claims: IdempotencyClaim[]): Promise<Set<string>> {
      if (claims.length === 0) return new Set();
      // In key order, so two batches claiming the same keys lock them in the same order and cannot deadlock.
      const sorted = [...claims].sort((a, b) => inLockOrder(a.key, b.key));
      const claimed = await timeDbOperation(metrics, 'cart_idempotency_keys.claim', () =>
        tx.query<{ idempotency_key: string }>(
          `INSERT INTO ${TABLE} AS k (idempotency_key, fingerprint) SELECT * FROM unnest($1::text[], $2::text[])
           ON CONFLICT (idempotency_key) DO UPDATE SET fingerprint = excluded.fingerprint, status = NULL, body = NULL, outbox_id = NULL, created_at = now()
             WHERE k.created_at < now() - make_interval(secs => $3)
           RETURNING idempotency_key`,
          [sorted.map((claim) => claim.key), sorted.map((claim) => claim.fingerprint), ttlSeconds],
        ),
      );
      return new Set(claimed.map((row) => row.idempotency_key));
    },

    /** The stored answers of `keys`. */
    async find(tx: SqlTransaction, keys: string[]): Promise<Map<string, StoredAnswer>> {
      if (keys.length === 0) return new Map();
      const rows = await tx.query<KeyRow>(`SELECT idempotency_key, fingerprint, status, body, outbox_id FROM ${TABLE} WHERE idempotency_key = ANY($1::text[])`, [keys]);
      const found = new Map<string, StoredAnswer>();
      for (const row of rows) {
        if (row.status === null || row.body === null) continue;
        found.set(row.idempotency_key, { fingerprint: row.fingerprint, status: row.status, body: row.body, outboxId: row.outbox_id ?? undefined });
      }
      return found;
    },

    /** Records the answers of claimed keys, in the transaction that claimed them. */
    async answer(tx: SqlTransaction, answers: Array<{ key: string; answer: Answer; outboxId?: string }>): Promise<void> {
      if (answers.length === 0) return;
      await timeDbOperation(metrics, 'cart_idempotency_keys.answer', () =>
        tx.query(
          `UPDATE ${TABLE} AS k SET status = v.status, body = v.body, outbox_id = v.outbox_id
           FROM unnest($1::text[], $2::int[], $3::json[], $4::bigint[]) AS v(idempotency_key, status, body, outbox_id)
           WHERE k.idempotency_key = v.idempotency_key`,
          [
            answers.map(({ key }) => key),
            answers.map(({ answer }) => answer.status),
            answers.map(({ answer }) => JSON.stringify(answer.body)),
            answers.map(({ outboxId }) => outboxId ?? null),
          ],
        ),
      );
    },

    /** Forgets keys older than the TTL; returns how many. */
    async prune(knex: Knex): Promise<number> {
      return knex(TABLE).where('created_at', '<', knex.raw('now() - make_interval(secs => ?)', [ttlSeconds])).delete();
    },
  });
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;

/**
 * Runs requests with the same key one after the other in this process, so the second sees the
 * first's committed answer and replays it instead of racing it (across processes the database
 * row does the same: a second claim waits for the first transaction).
 */
export function createKeyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return function inTurn<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(work);
    const tail = mine.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return mine;
  };
}
