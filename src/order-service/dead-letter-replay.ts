import type { Kafka } from 'kafkajs';
import { AppError, asUnavailable } from '../errors';
import type { Logger } from '../logger';
import { createIdempotentSender, isRecordRefused, kafkaError, restoreHeaders } from '../lib/kafka';
import { STALE_REPLAY_CLAIM_SECONDS, type DeadLetter, type DeadLetterStore, type ReplayPosition } from './dead-letter-store';

/** How long Kafka may take to acknowledge a replayed record. */
const REPLAY_TIMEOUT_MS = 10_000;
/** The header a replayed record carries: the dead letter it came from. */
export const REPLAY_OF_HEADER = 'orderflow-replay-of';

/** What a replay sends: the record as its producer sent it (the dlq-* headers the dead-letter publisher added left out), plus where it comes from. */
function replayedRecord(deadLetter: DeadLetter) {
  const headers = restoreHeaders(deadLetter.storedHeaders.filter(([name]) => !name.startsWith('dlq-') && name !== REPLAY_OF_HEADER));
  return { key: deadLetter.key, value: deadLetter.value, headers: { ...headers, [REPLAY_OF_HEADER]: deadLetter.recordId } };
}

/** Why a dead letter cannot go back to its source topic, if it cannot: one of `sourceTopics`. */
function notReplayable(deadLetter: DeadLetter, sourceTopics: readonly string[]): AppError | undefined {
  if (!deadLetter.source || !sourceTopics.includes(deadLetter.source.topic)) {
    const from = deadLetter.source ? `topic '${deadLetter.source.topic}'` : 'no known topic (it has no dlq-source headers)';
    return new AppError('CONFLICT', `dead letter '${deadLetter.recordId}' comes from ${from}; this service replays only to ${sourceTopics.map((topic) => `'${topic}'`).join(' or ')}`);
  }
  if (deadLetter.value === null) return new AppError('CONFLICT', `dead letter '${deadLetter.recordId}' has no value to replay (it was dead-lettered without one)`);
  return undefined;
}

/** A failed send as an answer: a record Kafka refuses is a conflict; anything else means Kafka is not available now. */
function sendFailure(error: unknown): AppError {
  if (isRecordRefused(error)) return new AppError('CONFLICT', `Kafka refuses the record: ${error instanceof Error ? error.message : String(error)}`);
  return asUnavailable('Kafka', kafkaError(error));
}

/**
 * Replays dead letters of `sourceTopics` (the topics this service consumes), once each: the index
 * row is claimed first (one replay at a time), the original record (key, value, its own headers)
 * goes back to the topic it came from, and then where it landed is recorded. A send that fails gives the claim
 * up, so the record can be replayed again; a repeat that did reach Kafka changes nothing
 * downstream, where the event id is known. A replayed record the consumer still refuses becomes a
 * new dead letter.
 */
export function createDeadLetterReplayer({ kafka, sourceTopics, store, logger }: { kafka: Kafka; sourceTopics: readonly string[]; store: DeadLetterStore; logger: Logger }) {
  const sender = createIdempotentSender({ kafka, timeoutMs: REPLAY_TIMEOUT_MS });
  const log = logger.child({ component: 'dead-letter-replay' });

  return {
    /** Replays `recordId` once on behalf of `operator`; resolves with the dead letter and where its replay landed. */
    async replay(recordId: string, operator: string): Promise<DeadLetter> {
      const claimed = await store.claimReplay(recordId, operator, STALE_REPLAY_CLAIM_SECONDS);
      const claim = claimed.replay!;
      let position: ReplayPosition;
      try {
        const refusal = notReplayable(claimed, sourceTopics);
        if (refusal) throw refusal;
        const [metadata] = await sender.send([{ topic: claimed.source!.topic, messages: [replayedRecord(claimed)] }]).catch((error: unknown) => {
          throw sendFailure(error);
        });
        // Once the send resolved, Kafka has the record (acks=all); where, its metadata says (kafkajs types that as optional).
        position = { partition: metadata?.partition ?? null, offset: metadata?.baseOffset ?? null };
      } catch (error) {
        await store.releaseReplay(recordId, claim).catch((release: unknown) => log.warn({ err: release, recordId }, 'could not give up the replay claim; it expires by itself'));
        throw error;
      }
      log.info({ recordId, operator, eventId: claimed.eventId, ...position }, 'dead letter replayed');
      try {
        return await store.recordReplay(recordId, position);
      } catch (error) {
        // Kafka has the record: the answer says so. The claim stays, so no second replay follows
        // until it expires; the consumer would drop that repeat by its event id anyway.
        log.warn({ err: error, recordId, ...position }, 'replayed, but could not record where the record landed');
        return { ...claimed, replay: { ...claim, replayedAt: new Date().toISOString(), ...position } };
      }
    },
    stop: () => sender.disconnect().catch(() => undefined),
  };
}

export type DeadLetterReplayer = ReturnType<typeof createDeadLetterReplayer>;
