import { AppError, toAppError } from '../errors';
import { acquirePgConnection, type Knex } from '../lib/db';
import { pendingAnswer, type Answer } from './answers';
import { createKeyedQueue, fingerprintOf, parseIdempotencyKey, replayOf, type IdempotencyClaim, type IdempotencyStore, type StoredAnswer } from './idempotency';
import type { OrderWriteBatcher, UnclaimedCommand, WriteResult } from './order-write-batcher';
import type { OutboxStore, PublicationState, PublicationTracker, PublicationWait } from './outbox';

export interface WriteAndAnswerDeps {
  knex: Knex;
  writes: OrderWriteBatcher;
  idempotency: IdempotencyStore;
  tracker: PublicationTracker;
  outbox: OutboxStore;
  /** Why Kafka is known to be unavailable right now, if it is (the relay knows). */
  kafkaDownReason(): string | undefined;
  /** How long a request waits for Kafka's acknowledgement of its event before answering 202. */
  publishTimeoutMs: number;
}

/** The request a write answers: which operation, its body and its Idempotency-Key header. */
export interface WriteRequest {
  operation: string;
  body: unknown;
  idempotencyKey: string | undefined;
}

/**
 * The promise every write answer keeps: it commits its command (through the group-committing
 * batcher), then waits for Kafka's acknowledgement of its event — 201/200 once acknowledged, 202
 * when the wait runs out (committed, and the relay will publish it). It refuses with 503 before
 * writing anything while Kafka is known to be unavailable. Requests with one Idempotency-Key take
 * turns, so a repeat replays the first answer instead of racing it.
 */
export function createWriteAndAnswer({ knex, writes, idempotency, tracker, outbox, kafkaDownReason, publishTimeoutMs }: WriteAndAnswerDeps) {
  const inTurn = createKeyedQueue();

  /** Where the committed row stands once Kafka acknowledged it or the wait ran out; a failed look counts as pending (it is committed). */
  async function publicationOf(outboxId: string, wait: PublicationWait, replayed: boolean): Promise<PublicationState> {
    const look = () => outbox.publicationOf(outboxId).catch((): PublicationState => 'pending');
    if (replayed) {
      const state = await look();
      if (state !== 'pending') {
        wait.cancel();
        return state;
      }
    }
    return (await wait.published(publishTimeoutMs)) ? 'published' : look();
  }

  async function awaitPublication({ answer, outboxId, publication, replayed }: WriteResult): Promise<Answer> {
    if (outboxId === undefined || publication === undefined || answer.status >= 300) return answer;
    const state = await publicationOf(outboxId, publication, replayed === true);
    return state === 'published' ? answer : pendingAnswer(answer, state);
  }

  async function commitAndAwait(command: () => Promise<UnclaimedCommand>, claim: IdempotencyClaim | undefined): Promise<Answer> {
    const down = kafkaDownReason();
    if (down !== undefined) throw new AppError('DEPENDENCY_UNAVAILABLE', `Kafka is unavailable (${down}); nothing of this request was stored`);
    const built = await command();
    return awaitPublication(await writes.write(claim ? { ...built, idempotency: claim } : built));
  }

  /** The answer already given to `claim`'s key, read outside any write; undefined when there is none. Rejects when it cannot be read. */
  async function storedAnswer(claim: IdempotencyClaim): Promise<Answer | undefined> {
    const connection = await acquirePgConnection(knex);
    let stored: StoredAnswer | undefined;
    try {
      stored = (await idempotency.find(connection.sql, [claim.key])).get(claim.key);
    } finally {
      connection.release();
    }
    if (!stored) return undefined;
    const { answer, outboxId } = replayOf(stored, claim);
    if (outboxId === undefined) return answer;
    return awaitPublication({ answer, outboxId, publication: tracker.expect(outboxId), replayed: true });
  }

  /**
   * A dependency outage refuses new writes, but a repeat of an answered request still gets its
   * answer: a client retrying a 202 or 504 during the outage must not hear "nothing was stored".
   */
  async function answerInTurn(claim: IdempotencyClaim, command: () => Promise<UnclaimedCommand>): Promise<Answer> {
    try {
      return await commitAndAwait(command, claim);
    } catch (error) {
      if (toAppError(error).code !== 'DEPENDENCY_UNAVAILABLE') throw error;
      const stored = await storedAnswer(claim).catch((lookup: unknown) => {
        // An earlier request with this key may have been stored: "nothing was stored" could be false.
        throw new AppError('DEPENDENCY_UNAVAILABLE', `${toAppError(error).message}; whether an earlier request with this Idempotency-Key was stored could not be checked either`, {
          cause: lookup,
        });
      });
      if (stored) return stored;
      throw error;
    }
  }

  return {
    /** The Idempotency-Key claim of `request` (400 for a malformed header), or undefined without one. */
    claimOf({ operation, body, idempotencyKey }: WriteRequest): IdempotencyClaim | undefined {
      const key = parseIdempotencyKey(idempotencyKey);
      return key === undefined ? undefined : { key, fingerprint: fingerprintOf(operation, body) };
    },

    /**
     * Builds the command (encoding its event may need the registry), commits it under `claim`'s
     * Idempotency-Key if any, and answers as promised; rejects (503) only when nothing was written.
     */
    answer(claim: IdempotencyClaim | undefined, command: () => Promise<UnclaimedCommand>): Promise<Answer> {
      return claim ? inTurn(claim.key, () => answerInTurn(claim, command)) : commitAndAwait(command, undefined);
    },
  };
}

export type WriteAndAnswer = ReturnType<typeof createWriteAndAnswer>;
