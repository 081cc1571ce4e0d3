import type { KafkaMessage } from 'kafkajs';
import { toAppError, type AppError } from '../../errors';
import type { Logger } from '../../logger';
import { Abandonment, backoffDelay, pauseUnlessStopping, retryUntilDone, type RetryPolicy } from '../retry';
import type { DeadLetterPublisher } from './dead-letter-publisher';
import type { IsolationPolicy } from './isolation-policy';

/**
 * Applies records of one partition (offset order) in one transaction, dead-lettering its poison
 * first. Resolves with the number of records a committed transaction wrote rows for (0 when it
 * wrote none: only poison, only duplicates); that number is the policy's evidence that the
 * database accepts writes. Rejects with nothing written.
 */
export type ApplyRecords = (partition: number, messages: KafkaMessage[]) => Promise<number>;

/** A heartbeat failed: the batch goes back to kafkajs untouched (see the Kafka runner). */
export class HandBackBatch extends Abandonment {
  constructor(readonly heartbeatError: unknown) {
    super('the heartbeat failed; handing the batch back');
    this.name = 'HandBackBatch';
  }
}

export interface IsolatingProcessorOptions {
  apply: ApplyRecords;
  deadLetters: DeadLetterPublisher;
  policy: IsolationPolicy;
  retry: RetryPolicy;
  isStopping(): boolean;
  logger: Logger;
}

/**
 * Applies a batch, retrying transient failures with backoff (never skipping), and isolating a
 * record that fails for good as {@link IsolationPolicy} decides. It resolves true when
 * the batch is done (applied, or its bad records dead-lettered): its offsets may be committed.
 * It resolves false when the batch must be fetched and tried again: nothing may be committed.
 */
export function createIsolatingProcessor({ apply, deadLetters, policy, retry, isStopping, logger }: IsolatingProcessorOptions) {
  async function applyCounted(partition: number, messages: KafkaMessage[]): Promise<number> {
    const transaction = policy.begin();
    const written = await apply(partition, messages);
    if (written > 0) policy.committed(transaction);
    return written;
  }

  return async function processBatch(partition: number, messages: KafkaMessage[], heartbeat: () => Promise<void>): Promise<boolean> {
    const pause = (ms: number): Promise<void> => pauseUnlessStopping(ms, { isStopping, tick: heartbeat, what: `the batch of partition ${partition}` });
    const untilDone = <T>(what: string, work: () => Promise<T>): Promise<T> =>
      retryUntilDone(work, { policy: retry, pause, onRetry: (failure, attempt, delayMs) => logger.warn({ attempt: attempt + 1, delayMs, err: failure.message }, `${what} failed transiently; retrying`) });
    const batchKey = `${partition}/${messages[0]?.offset ?? ''}`;

    for (;;) {
      let failure: AppError;
      try {
        await untilDone(`batch of ${messages.length} on partition ${partition}`, () => applyCounted(partition, messages));
        policy.settled(batchKey);
        return true;
      } catch (error) {
        if (error instanceof Abandonment) throw error;
        failure = toAppError(error);
      }
      policy.batchFailed(batchKey);

      const failed: Array<{ message: KafkaMessage; failure: AppError }> = [];
      let applied = 0;
      if (messages.length === 1) {
        failed.push({ message: messages[0] as KafkaMessage, failure });
      } else {
        logger.error({ err: failure.message, partition }, 'batch failed for a non-transient reason; applying its records one by one');
        for (const message of messages) {
          try {
            if ((await untilDone(`record ${message.offset} on partition ${partition}`, () => applyCounted(partition, [message]))) > 0) applied += 1;
          } catch (error) {
            if (error instanceof Abandonment) throw error;
            failed.push({ message, failure: toAppError(error) });
          }
        }
      }
      if (failed.length === 0) {
        policy.settled(batchKey);
        return true;
      }

      const verdict = policy.verdict(batchKey, applied);
      if (verdict.action === 'dead-letter') {
        for (const { message, failure: own } of failed) {
          logger.error({ err: own, partition, offset: message.offset, evidence: verdict.evidence }, 'record cannot be processed; dead-lettering it');
          await untilDone('dead-lettering', () => deadLetters.publish(partition, [{ message, errorKind: own.code, errorCode: 'PROCESSING_FAILED', errorMessage: own.message }]));
        }
        policy.settled(batchKey);
        return true;
      }
      const delayMs = backoffDelay(verdict.round, retry);
      logger.error(
        { err: failure.message, partition, records: messages.length, round: verdict.round + 1, delayMs },
        'no record of the batch could be applied (non-transient error): treating it as an outage, not as bad records; retrying the batch',
      );
      await pause(delayMs);
      if (verdict.action === 'hand-back') return false;
    }
  };
}

export type IsolatingProcessor = ReturnType<typeof createIsolatingProcessor>;
