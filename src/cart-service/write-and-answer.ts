import { AppError } from '../errors';
import { pendingAnswer, type Answer } from './answers';
import { createKeyedQueue, fingerprintOf, parseIdempotencyKey, type IdempotencyClaim } from './idempotency';
import type { OrderWriteBatcher, WriteCommand } from './order-write-batcher';
import type { OutboxStore, PublicationWait } from './outbox';

export interface WriteAndAnswerDeps {
  writes: OrderWriteBatcher;
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
export function createWriteAndAnswer({ writes, outbox, kafkaDownReason, publishTimeoutMs }: WriteAndAnswerDeps) {
  const inTurn = createKeyedQueue();

  async function published(outboxId: string, wait: PublicationWait, replayed: boolean): Promise<boolean> {
    const stillPending = () => outbox.pending([outboxId]).then((pending) => pending.has(outboxId), () => true);
    if (replayed && !(await stillPending())) {
      wait.cancel();
      return true;
    }
    return (await wait.published(publishTimeoutMs)) || !(await stillPending());
  }

  async function commitAndAwait(command: WriteCommand): Promise<Answer> {
    const down = kafkaDownReason();
    if (down !== undefined) throw new AppError('DEPENDENCY_UNAVAILABLE', `Kafka is unavailable (${down}); nothing was stored`);
    const { answer, outboxId, publication, replayed } = await writes.write(command);
    if (outboxId === undefined || publication === undefined || answer.status >= 300) return answer;
    return (await published(outboxId, publication, replayed === true)) ? answer : pendingAnswer(answer);
  }

  return {
    /** The Idempotency-Key claim of `request` (400 for a malformed header), or undefined without one. */
    claimOf({ operation, body, idempotencyKey }: WriteRequest): IdempotencyClaim | undefined {
      const key = parseIdempotencyKey(idempotencyKey);
      return key === undefined ? undefined : { key, fingerprint: fingerprintOf(operation, body) };
    },

    /** Commits `command` and answers as promised; rejects (503) only when nothing was written. */
    answer(command: WriteCommand): Promise<Answer> {
      return command.idempotency ? inTurn(command.idempotency.key, () => commitAndAwait(command)) : commitAndAwait(command);
    },
  };
}

export type WriteAndAnswer = ReturnType<typeof createWriteAndAnswer>;
