import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../logger';
import { HandBackBatch } from './isolating-processor';

/** Wait before re-creating a consumer that kafkajs gave up on; doubled after each failed attempt, up to the maximum. */
const RESTART_AFTER_CRASH_MS = 2_000;
const MAX_RESTART_AFTER_CRASH_MS = 30_000;

/**
 * A fetch returns once this much is there, or after `fetchMaxWaitMs`. Each fetched batch costs a
 * transaction and an offset commit whatever its size, so at a trickle of events (a few per fetch
 * with kafkajs's default of 1 byte) that fixed cost dominates; gathering them into fewer, larger
 * batches saves it. Under load the bytes are there at once and nothing waits.
 */
const FETCH_MIN_BYTES = 16 * 1024;

export interface KafkaRunnerOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  logger: Logger;
  /** Partitions processed in parallel by this instance. */
  partitionsConsumedConcurrently: number;
  /** Longest a fetch waits for FETCH_MIN_BYTES: what an event can lose to it, and how often an idle consumer asks. */
  fetchMaxWaitMs: number;
  /** Most records applied in one transaction (a fetched batch is cut into groups of at most this many). */
  maxRecordsPerTransaction: number;
  /** Applies records of one partition; resolves true when their offsets may be committed, false to fetch them again. */
  process(partition: number, messages: KafkaMessage[], heartbeat: () => Promise<void>): Promise<boolean>;
  /** Offsets of `partition` were committed (the dead-letter publisher forgets them). */
  onCommitted(partition: number, offsets: readonly string[]): void;
  /** This instance (re)joined the group: its assignment may have changed. */
  onGroupJoin(): void;
  /** First wait before re-creating a crashed consumer (tests shorten it). */
  restartAfterCrashMs?: number;
}

/** The heartbeat, with any failure turned into {@link HandBackBatch}. */
function handingBackOnHeartbeatFailure(heartbeat: () => Promise<void>): () => Promise<void> {
  return () =>
    heartbeat().catch((error: unknown) => {
      throw new HandBackBatch(error);
    });
}

/** `items` cut into consecutive groups of at most `size`. */
function chunks<T>(items: T[], size: number): T[][] {
  if (items.length <= size) return [items];
  const groups: T[][] = [];
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size));
  return groups;
}

/**
 * Runs a kafkajs consumer group member with manual offsets: a group of records is resolved and
 * committed only after `process` said it is done, so nothing is ever skipped. It restarts a
 * consumer that kafkajs gave up on, hands a batch back when a heartbeat fails (the group is
 * rebalancing or moved on: that says nothing about any record), and commits past transaction
 * markers.
 */
export function createKafkaRunner(options: KafkaRunnerOptions) {
  const { kafka, topic, groupId, logger } = options;
  if (!Number.isInteger(options.maxRecordsPerTransaction) || options.maxRecordsPerTransaction < 1) {
    throw new TypeError(`maxRecordsPerTransaction must be a whole number >= 1, got ${options.maxRecordsPerTransaction}`);
  }
  if (!Number.isInteger(options.fetchMaxWaitMs) || options.fetchMaxWaitMs < 1) {
    throw new TypeError(`fetchMaxWaitMs must be a whole number >= 1, got ${options.fetchMaxWaitMs}`);
  }
  let consumer: Consumer | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;

  async function processBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (const messages of chunks(batch.messages, options.maxRecordsPerTransaction)) {
      const last = messages.at(-1);
      if (!last || !isRunning() || isStale()) return;
      // Not done (no evidence yet that its failures are the records' own): leave it unresolved and
      // uncommitted; kafkajs fetches it again from the same offset.
      if (!(await options.process(batch.partition, messages, heartbeat))) return;
      // The database transaction has committed: only now may the offsets move. Past the batch's
      // last record come only records kafkajs filtered out (transaction markers, aborted records),
      // so the batch's last group may move past them too.
      const through = last === batch.messages.at(-1) ? batch.lastOffset() : last.offset;
      resolveOffset(through);
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(through) + 1n).toString() }] }] });
      options.onCommitted(batch.partition, messages.map((message) => message.offset));
      await heartbeat();
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    try {
      await processBatch({ ...payload, heartbeat: handingBackOnHeartbeatFailure(payload.heartbeat) });
    } catch (error) {
      // kafkajs knows its own errors: it rejoins the group (or restarts); the batch stays unresolved and uncommitted.
      if (error instanceof HandBackBatch) {
        logger.info({ partition: payload.batch.partition, reason: (error.heartbeatError as Error).message }, 'the heartbeat failed; handing the batch back');
        throw error.heartbeatError;
      }
      throw error;
    }
  }

  /** Disconnects `previous` and runs a fresh consumer after `delayMs`; should that fail (Kafka down, say), tries again, waiting twice as long. */
  function restartAfter(delayMs: number, previous: Consumer): void {
    restartTimer = setTimeout(() => {
      void previous
        .disconnect()
        .catch(() => undefined)
        .then(() => (stopping ? undefined : run()))
        .catch((error: unknown) => {
          if (stopping) return;
          const nextMs = Math.min(delayMs * 2, MAX_RESTART_AFTER_CRASH_MS);
          logger.error({ err: error }, `could not restart the consumer; trying again in ${nextMs} ms`);
          restartAfter(nextMs, consumer ?? previous);
        });
    }, delayMs);
  }

  async function run(): Promise<void> {
    const created = kafka.consumer({
      groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 2 * 1024 * 1024,
      minBytes: FETCH_MIN_BYTES,
      maxWaitTimeInMs: options.fetchMaxWaitMs,
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    consumer = created;
    created.on(created.events.CRASH, ({ payload }) => {
      if (payload.restart || stopping) return;
      // kafkajs restarts by itself after retriable errors; for any other crash the service keeps
      // its promise to resume by itself: a fresh consumer joins the group again.
      const delayMs = options.restartAfterCrashMs ?? RESTART_AFTER_CRASH_MS;
      logger.error({ err: payload.error }, `consumer crashed; re-creating it in ${delayMs} ms`);
      restartAfter(delayMs, created);
    });
    created.on(created.events.GROUP_JOIN, () => options.onGroupJoin());
    // A transactional producer ends each transaction with a commit marker. A fetch of only markers
    // never reaches eachBatch; kafkajs resolves it but, with autoCommit off, nobody commits it, and
    // the group would report a lag of 1 per partition while idle.
    created.on(created.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0 || stopping) return;
      const offset = (BigInt(payload.lastOffset) + 1n).toString();
      created.commitOffsets([{ topic: payload.topic, partition: payload.partition, offset }]).catch((error: unknown) => {
        logger.debug({ err: error, partition: payload.partition }, 'could not commit past a transaction marker; the next batch will');
      });
    });
    try {
      await created.connect();
      await created.subscribe({ topic, fromBeginning: true });
      await created.run({ eachBatchAutoResolve: false, autoCommit: false, partitionsConsumedConcurrently: options.partitionsConsumedConcurrently, eachBatch });
    } catch (error) {
      // Half-started, it could stay connected beside the consumer of the next attempt.
      await created.disconnect().catch(() => undefined);
      throw error;
    }
  }

  return {
    async start(): Promise<void> {
      stopping = false;
      await run();
    },
    /** Whether stop() was called: retry loops give up their batch instead of waiting. */
    isStopping: (): boolean => stopping,
    /** kafkajs waits for the batch in hand (which commits before returning) before leaving the group. */
    async stop(): Promise<void> {
      stopping = true;
      clearTimeout(restartTimer);
      await consumer?.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'consumer did not disconnect cleanly'));
    },
  };
}

export type KafkaRunner = ReturnType<typeof createKafkaRunner>;
