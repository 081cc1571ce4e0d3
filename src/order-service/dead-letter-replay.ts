import type { IHeaders, Kafka } from 'kafkajs';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { createIdempotentSender } from '../lib/kafka';
import type { DeadLetter, DeadLetterStore } from './dead-letter-store';

/** How long Kafka may take to acknowledge a replayed record. */
const REPLAY_TIMEOUT_MS = 10_000;
/** The header a replayed record carries: the dead letter it came from. */
export const REPLAY_OF_HEADER = 'orderflow-replay-of';

/** The record as its producer sent it: the headers without the dlq-* ones the dead-letter publisher added. */
function originalHeaders(deadLetter: DeadLetter): IHeaders {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(deadLetter.headers)) if (!name.startsWith('dlq-')) headers[name] = value;
  return { ...headers, [REPLAY_OF_HEADER]: deadLetter.recordId };
}

/**
 * Replays dead letters of `sourceTopic` (the topic this service consumes): the original record
 * (key, value, its own headers) goes back to that topic, once per dead letter, and the index
 * records who replayed it, when, and where it landed. A replayed record the consumer still
 * refuses becomes a new dead letter; one already applied meanwhile is dropped by its event id.
 */
export function createDeadLetterReplayer({ kafka, sourceTopic, store, logger }: { kafka: Kafka; sourceTopic: string; store: DeadLetterStore; logger: Logger }) {
  const sender = createIdempotentSender({ kafka, timeoutMs: REPLAY_TIMEOUT_MS });
  const log = logger.child({ component: 'dead-letter-replay' });

  async function publish(deadLetter: DeadLetter): Promise<{ partition: number; offset: string }> {
    if (deadLetter.source?.topic !== sourceTopic) {
      const from = deadLetter.source ? `topic '${deadLetter.source.topic}'` : 'no known topic (it has no dlq-source headers)';
      throw new AppError('CONFLICT', `dead letter '${deadLetter.recordId}' comes from ${from}; this service replays only to '${sourceTopic}'`);
    }
    if (deadLetter.value === null) throw new AppError('CONFLICT', `dead letter '${deadLetter.recordId}' has no value to replay (${deadLetter.headers['dlq-value-omitted'] ?? 'it was sent without one'})`);
    const [metadata] = await sender.send([{ topic: sourceTopic, messages: [{ key: deadLetter.key, value: deadLetter.value, headers: originalHeaders(deadLetter) }] }]);
    if (!metadata?.baseOffset) throw new AppError('INTERNAL', 'Kafka acknowledged the replay without saying where it put it');
    return { partition: metadata.partition, offset: metadata.baseOffset };
  }

  return {
    /** Replays `recordId` once on behalf of `operator`; resolves with the dead letter as now recorded. */
    async replay(recordId: string, operator: string): Promise<DeadLetter> {
      const replayed = await store.replayOnce(recordId, operator, publish);
      log.info({ recordId, operator, eventId: replayed.eventId, partition: replayed.replay?.partition, offset: replayed.replay?.offset }, 'dead letter replayed');
      return replayed;
    },
    stop: () => sender.disconnect().catch(() => undefined),
  };
}

export type DeadLetterReplayer = ReturnType<typeof createDeadLetterReplayer>;
