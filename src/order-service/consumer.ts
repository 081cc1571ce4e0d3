import { Partitioners, type Admin, type Consumer, type EachBatchPayload, type IHeaders, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { AppError, toAppError } from '../errors';
import type { Logger } from '../logger';
import { ensureTopics } from '../lib/kafka';
import { timeDbOperation, type Metrics } from '../lib/metrics';
import { backoffDelay } from './consumer-failures';
import { checkEvent, planBatch, type EventOutcome, type OrderEvent, type ValidEvent } from './order-event-handler';
import type { OrderRepository } from './order-repository';

/** What the consumer needs of the registry serde: decode one Confluent-framed record. */
export interface OrderEventDecoder {
  decode(buffer: Buffer): Promise<unknown>;
}

/** A decoded record as the handler reads it: its type, the event fields, and the writer's schema id. */
interface Decoded {
  type: string;
  event: unknown;
  schemaId?: number;
}

/**
 * Accepts the serde's result either as `{ type, event, schemaId }` or as a flat event
 * `{ type, eventId, ... }`, so the consumer reads both shapes the same way.
 */
function normaliseDecoded(result: unknown): Decoded {
  const value = (result ?? {}) as { type?: unknown; event?: unknown; schemaId?: unknown };
  const type = typeof value.type === 'string' ? value.type : 'unknown';
  const schemaId = typeof value.schemaId === 'number' ? { schemaId: value.schemaId } : {};
  if (typeof value.event === 'object' && value.event !== null) return { type, event: value.event, ...schemaId };
  return { type, event: value, ...schemaId };
}

export interface RetryPolicy {
  /** First wait after a transient failure. */
  initialMs: number;
  /** Longest wait between attempts (the backoff doubles up to it). */
  maxMs: number;
}

export interface OrderConsumerOptions {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  deadLetterTopic: string;
  groupId: string;
  repository: OrderRepository;
  decoder: OrderEventDecoder;
  metrics: Metrics;
  logger: Logger;
  /**
   * true (default): a whole fetched batch is applied in one transaction. false: one
   * transaction and one offset commit per message (kept for the benchmark's comparison).
   */
  batchMode?: boolean;
  retry?: RetryPolicy;
  /** Partitions processed in parallel by this instance. */
  partitionsConsumedConcurrently?: number;
  /** How often consumer lag and the order gauges are refreshed; 0 turns it off. */
  gaugeIntervalMs?: number;
  /** Called each time this instance joins the group (the benchmark starts its clock there). */
  onGroupJoin?: () => void;
}

const DEFAULTS = {
  batchMode: true,
  retry: { initialMs: 200, maxMs: 30_000 },
  partitionsConsumedConcurrently: 3,
  gaugeIntervalMs: 5_000,
} as const;

/**
 * Rounds in a row in which no record of a batch could be applied before the batch is handed back
 * to kafkajs (to be fetched again) and commits of OTHER partitions count as evidence that the
 * failing records are at fault (see processWithIsolation).
 */
const LONE_FAILURE_ROUNDS = 3;

/** Wait before re-creating a consumer that kafkajs gave up on. */
const RESTART_AFTER_CRASH_MS = 2_000;

/** A record that cannot be applied, on its way to the dead-letter topic. */
interface Poison {
  message: KafkaMessage;
  /** The AppError kind: POISON_MESSAGE, or INTERNAL for a record that failed processing on its own. */
  errorKind?: string;
  /** Why, precisely: a poison reason (NOT_CONFLUENT_AVRO, UNKNOWN_SCHEMA_ID, ...), BUSINESS_INVALID or PROCESSING_FAILED. */
  errorCode: string;
  errorMessage: string;
  eventType?: string;
  eventId?: string;
  schemaId?: number;
}

export interface OrderConsumer {
  start(): Promise<void>;
  /** Finishes the batch in hand, commits it, leaves the group and disconnects. */
  stop(): Promise<void>;
}

/**
 * A heartbeat that fails — the group is rebalancing or has moved on without this member, or the
 * coordinator cannot be reached — says nothing about any record. The batch is handed back to
 * kafkajs, untouched by the retry and isolation loops: kafkajs rejoins (or restarts), and the
 * batch's owner processes it again from its committed offset.
 */
class HandBackBatch extends Error {
  constructor(readonly heartbeatError: unknown) {
    super('the heartbeat failed; handing the batch back');
    this.name = 'HandBackBatch';
  }
}

/** The heartbeat, with any failure turned into {@link HandBackBatch}. */
function handingBackOnHeartbeatFailure(heartbeat: () => Promise<void>): () => Promise<void> {
  return () =>
    heartbeat().catch((error: unknown) => {
      throw new HandBackBatch(error);
    });
}

/** Raised to abandon a batch without committing when the service is stopping mid-retry. */
class StoppingError extends Error {
  constructor() {
    super('the consumer is stopping; the batch will be redelivered');
    this.name = 'StoppingError';
  }
}

/**
 * The order service's consumer. Each batch: decode every record, dead-letter the poison,
 * apply the rest in ONE transaction (deduplicated by event id, serialised per partition),
 * and only then commit the offsets. Transient failures are retried with capped exponential
 * backoff, never skipped; a batch failing for any other reason is split so that only the
 * offending record is dead-lettered — and only when other records show the failure is its own.
 */
export function createOrderConsumer(options: OrderConsumerOptions): OrderConsumer {
  const settings = { ...DEFAULTS, ...options };
  const { kafka, admin, topic, deadLetterTopic, groupId, repository, decoder, metrics, logger } = settings;
  const log = logger.child({ component: 'consumer' });
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let gaugeTimer: NodeJS.Timeout | undefined;
  /**
   * `partition/offset` of the records this instance has dead-lettered but whose offsets it has
   * not committed yet. See `deadLetter` for what this prevents and what it cannot.
   */
  const deadLettered = new Set<string>();
  const positionKey = (partition: number, offset: string) => `${partition}/${offset}`;
  /**
   * Sequence numbers of the transactions this instance began (any partition), and the highest one
   * that committed: a transaction begun after some moment that committed proves that the database
   * accepted writes after that moment.
   */
  let transactionsBegun = 0;
  let lastCommitted = 0;
  /**
   * Batches (by partition and first offset) of which no record could be applied, kept across
   * fetches: all-failing rounds so far, and `transactionsBegun` at the first failure. Cleared at
   * every rebalance, so that no evidence predates a partition's (re)assignment.
   */
  const failingBatches = new Map<string, { rounds: number; begunAtFirstFailure: number }>();

  async function decodeAll(partition: number, messages: KafkaMessage[]): Promise<{ valid: ValidEvent[]; poison: Poison[] }> {
    const valid: ValidEvent[] = [];
    const poison: Poison[] = [];
    for (const message of messages) {
      const position = { topic, partition, offset: message.offset };
      if (!message.value || message.value.length === 0) {
        poison.push({ message, errorCode: 'NOT_CONFLUENT_AVRO', errorMessage: 'the record has no value' });
        continue;
      }
      let decoded: Decoded;
      try {
        decoded = normaliseDecoded(await decoder.decode(message.value));
      } catch (error) {
        const appError = toAppError(error);
        if (appError.retriable) {
          metrics.registryErrors.inc({ operation: 'decode' });
          throw appError;
        }
        poison.push({ message, errorKind: appError.code, errorCode: appError.details.reason ?? appError.code, errorMessage: appError.message });
        continue;
      }
      if (decoded.type !== 'OrderCreated' && decoded.type !== 'OrderStatusUpdated') {
        poison.push({ message, errorCode: 'UNKNOWN_EVENT_TYPE', errorMessage: `the order service does not handle '${decoded.type}' events`, eventType: decoded.type });
        continue;
      }
      const checked = checkEvent(decoded as OrderEvent, position);
      if (!checked.ok) {
        const event = decoded.event as { eventId?: unknown };
        poison.push({
          message,
          errorCode: 'BUSINESS_INVALID',
          errorMessage: checked.reason,
          eventType: decoded.type,
          ...(typeof event.eventId === 'string' ? { eventId: event.eventId } : {}),
          ...(decoded.schemaId !== undefined ? { schemaId: decoded.schemaId } : {}),
        });
        continue;
      }
      valid.push(checked.event);
    }
    return { valid, poison };
  }

  /**
   * Sends `poison` to the dead-letter topic, each record once per consumer instance.
   *
   * Delivery is at least once. The records of a batch are dead-lettered BEFORE its transaction
   * commits and its offsets are committed, so the same source record can be processed again
   * after it was dead-lettered:
   *  - the transaction fails transiently and the batch is retried whole, or fails otherwise and
   *    is re-applied record by record: `deadLettered` remembers what this instance sent until
   *    the offsets are committed, so these cases send NO duplicate (test: dead-letter-once);
   *  - the process dies (crash, SIGKILL) or the partition moves to another instance (rebalance,
   *    `stop()` mid-retry) after the send and before the offset commit: the next owner does not
   *    know, and sends the record again. The window is one batch's transaction plus one offset
   *    commit; only then can a DUPLICATE reach the dead-letter topic.
   * Every dead letter therefore carries `dlq-record-id: <topic>/<partition>/<offset>` of its
   * source record, the same for every copy: consumers of the dead-letter topic deduplicate on it.
   * (Closing the window for good would need the sent ids in PostgreSQL in the batch's transaction,
   * i.e. a migration, and still a send-then-record order; it is not worth it for dead letters.)
   * The dead letter keeps the source record's key, so an order's dead letters stay in order.
   */
  async function deadLetter(partition: number, poison: Poison[]): Promise<void> {
    const fresh = poison.filter((item) => !deadLettered.has(positionKey(partition, item.message.offset)));
    for (const item of poison) {
      if (fresh.includes(item)) continue;
      log.debug({ partition, offset: item.message.offset }, 'record already dead-lettered by this instance; not sending it again');
    }
    if (fresh.length === 0) return;
    if (!producer) throw new AppError('DEPENDENCY_UNAVAILABLE', 'the dead-letter producer is not connected');
    await producer.send({
      topic: deadLetterTopic,
      acks: -1,
      messages: fresh.map((item) => {
        const headers: IHeaders = {
          ...(item.message.headers ?? {}),
          'dlq-error-code': item.errorCode,
          'dlq-error-kind': item.errorKind ?? 'POISON_MESSAGE',
          'dlq-error-message': item.errorMessage.slice(0, 1_000),
          'dlq-source-topic': topic,
          'dlq-source-partition': String(partition),
          'dlq-source-offset': item.message.offset,
          'dlq-record-id': `${topic}/${partition}/${item.message.offset}`,
          ...(item.eventType ? { 'dlq-event-type': item.eventType } : {}),
          ...(item.eventId ? { 'dlq-event-id': item.eventId } : {}),
          ...(item.schemaId !== undefined ? { 'dlq-schema-id': String(item.schemaId) } : {}),
        };
        return { key: item.message.key, value: item.message.value, headers };
      }),
    });
    for (const item of fresh) {
      deadLettered.add(positionKey(partition, item.message.offset));
      metrics.deadLetters.inc({ reason: item.errorCode });
      metrics.eventsConsumed.inc({ event_type: item.eventType ?? 'unknown', outcome: 'dead_lettered' });
      log.warn(
        { partition, offset: item.message.offset, eventId: item.eventId, errorCode: item.errorCode, reason: item.errorMessage },
        'record sent to the dead-letter topic',
      );
    }
  }

  /** Decodes, dead-letters and applies `messages` of one partition; throws without side effects in the database on failure. */
  async function processMessages(partition: number, messages: KafkaMessage[]): Promise<EventOutcome[]> {
    const { valid, poison } = await decodeAll(partition, messages);
    await deadLetter(partition, poison);
    if (valid.length === 0) return [];
    const eventIds = [...new Set(valid.map((event) => event.eventId))];
    const orderIds = [...new Set(valid.map((event) => event.orderId))];
    transactionsBegun += 1;
    const sequence = transactionsBegun;
    const plan = await timeDbOperation(metrics, 'apply_batch', () =>
      repository.inBatchTransaction(async (tx) => {
        await tx.lockPartition(topic, partition);
        const state = await tx.loadState(eventIds, orderIds);
        const batchPlan = planBatch(valid, state);
        await tx.writePlan(batchPlan);
        return batchPlan;
      }),
    );
    lastCommitted = Math.max(lastCommitted, sequence);
    const now = Date.now();
    for (const outcome of plan.outcomes) {
      metrics.eventsConsumed.inc({ event_type: outcome.type, outcome: outcome.outcome });
      if (outcome.outcome === 'applied') metrics.eventToPersistedLatency.observe({ event_type: outcome.type }, Math.max(0, now - outcome.occurredAt.getTime()) / 1000);
      if (outcome.outcome === 'rejected' || outcome.outcome === 'parked' || log.isLevelEnabled('debug')) {
        log[outcome.outcome === 'rejected' ? 'warn' : 'debug'](
          { orderId: outcome.orderId, eventId: outcome.eventId, eventType: outcome.type, outcome: outcome.outcome, reason: outcome.reason },
          `event ${outcome.outcome}`,
        );
      }
    }
    return plan.outcomes;
  }

  async function sleep(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (stopping) throw new StoppingError();
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, deadline - Date.now())));
      await heartbeat();
    }
  }

  /** Runs `work` until it succeeds or fails for a reason a retry cannot fix. */
  async function untilDone<T>(what: string, work: () => Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        const failure = toAppError(error);
        if (!failure.retriable) throw failure;
        if (stopping) throw new StoppingError();
        const delay = backoffDelay(attempt, settings.retry);
        log.warn({ attempt: attempt + 1, delayMs: delay, err: failure.message }, `${what} failed transiently; retrying`);
        await sleep(delay, heartbeat);
      }
    }
  }

  /**
   * Applies `messages` (one partition, offset order), isolating a record that fails for good.
   * Resolves true when the batch is done (applied, or its bad records dead-lettered): its offsets
   * may be committed. Resolves false when it must be fetched and tried again: nothing is resolved
   * or committed, and eachBatch returns so that kafkajs fetches again from the same offset.
   *
   * When the batch fails for a non-transient reason, its records are applied one by one. A
   * record that then fails alone is the record's fault ONLY if something shows that the database
   * accepts writes meanwhile; otherwise an unlisted failure of the whole system (a broken
   * trigger, a constraint or permission change, an SQLSTATE no rule calls transient...) would
   * dead-letter every valid event. The rule:
   *  - a failing record is dead-lettered (PROCESSING_FAILED) when, in the same round, at least one
   *    other record of the split batch was APPLIED (its transaction committed; a record that was
   *    only dead-lettered as poison touched no table and proves nothing);
   *  - when no record of the round was applied (every record that reached the database failed,
   *    which includes a batch of one record), it is treated as an outage: back off (the transient
   *    retry policy) and retry the whole batch; nothing is dead-lettered, nothing committed past it;
   *  - so that a genuinely bad record alone in its batch does not block its partition forever,
   *    after LONE_FAILURE_ROUNDS such rounds the batch is handed back unresolved (kafkajs waits
   *    for every batch of a fetch before fetching again, so holding on would also stall the other
   *    partitions). Fetched again, it may come with the records produced behind it (same-batch
   *    evidence), and a transaction of ANOTHER partition that this consumer began after the first
   *    failure and committed counts as evidence too. During a whole-system failure nothing commits anywhere, so
   *    nothing is dead-lettered however long it lasts; it resumes where it stopped once it ends.
   */
  async function processWithIsolation(partition: number, messages: KafkaMessage[], heartbeat: () => Promise<void>): Promise<boolean> {
    const key = positionKey(partition, messages[0]?.offset ?? '');
    for (;;) {
      let failure: AppError;
      try {
        await untilDone(`batch of ${messages.length} on partition ${partition}`, () => processMessages(partition, messages), heartbeat);
        failingBatches.delete(key);
        return true;
      } catch (error) {
        if (error instanceof StoppingError || error instanceof HandBackBatch) throw error;
        failure = toAppError(error);
      }
      const state = failingBatches.get(key) ?? { rounds: 0, begunAtFirstFailure: transactionsBegun };
      failingBatches.set(key, state);

      const failed: Array<{ message: KafkaMessage; failure: AppError }> = [];
      let applied = 0;
      if (messages.length === 1) {
        failed.push({ message: messages[0] as KafkaMessage, failure });
      } else {
        log.error({ err: failure.message, partition, round: state.rounds + 1 }, 'batch failed for a non-transient reason; applying its records one by one');
        for (const message of messages) {
          try {
            const outcomes = await untilDone(`record ${message.offset} on partition ${partition}`, () => processMessages(partition, [message]), heartbeat);
            if (outcomes.length > 0) applied += 1;
          } catch (error) {
            if (error instanceof StoppingError || error instanceof HandBackBatch) throw error;
            failed.push({ message, failure: toAppError(error) });
          }
        }
      }
      if (failed.length === 0) {
        failingBatches.delete(key);
        return true;
      }

      const othersCommitted = state.rounds + 1 >= LONE_FAILURE_ROUNDS && lastCommitted > state.begunAtFirstFailure;
      if (applied > 0 || othersCommitted) {
        for (const { message, failure: own } of failed) {
          log.error({ err: own, partition, offset: message.offset, evidence: applied > 0 ? 'same batch' : 'other partitions' }, 'record cannot be processed; dead-lettering it');
          await untilDone(
            'dead-lettering',
            () => deadLetter(partition, [{ message, errorKind: own.code, errorCode: 'PROCESSING_FAILED', errorMessage: own.message }]),
            heartbeat,
          );
        }
        failingBatches.delete(key);
        return true;
      }

      const delay = backoffDelay(state.rounds, settings.retry);
      state.rounds += 1;
      log.error(
        { err: failure.message, partition, records: messages.length, round: state.rounds, delayMs: delay },
        'no record of the batch could be applied (non-transient error): treating it as an outage, not as bad records; retrying the batch',
      );
      await sleep(delay, heartbeat);
      if (state.rounds >= LONE_FAILURE_ROUNDS) return false;
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    try {
      await processBatch({ ...payload, heartbeat: handingBackOnHeartbeatFailure(payload.heartbeat) });
    } catch (error) {
      // kafkajs knows its own errors: it rejoins the group (or restarts); the batch stays unresolved and uncommitted.
      if (error instanceof HandBackBatch) {
        log.info({ partition: payload.batch.partition, reason: (error.heartbeatError as Error).message }, 'the heartbeat failed; handing the batch back');
        throw error.heartbeatError;
      }
      throw error;
    }
  }

  async function processBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const groups = settings.batchMode ? [batch.messages] : batch.messages.map((message) => [message]);
    for (const messages of groups) {
      const last = messages.at(-1);
      if (!last || !isRunning() || isStale()) return;
      // Not done (no evidence yet that its failures are the records' own): leave it unresolved and
      // uncommitted; kafkajs fetches it again from the same offset.
      if (!(await processWithIsolation(batch.partition, messages, heartbeat))) return;
      // The database transaction has committed: only now may the offsets move. Past the batch's
      // last record come only records kafkajs filtered out (transaction markers, aborted records),
      // so the batch's last group may move past them too.
      const through = last === batch.messages.at(-1) ? batch.lastOffset() : last.offset;
      for (const message of messages) resolveOffset(message.offset);
      resolveOffset(through);
      await commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(through) + 1n).toString() }] }],
      });
      // Committed: these records will not come back, so there is nothing left to remember.
      for (const message of messages) deadLettered.delete(positionKey(batch.partition, message.offset));
      await heartbeat();
    }
  }

  async function runConsumer(): Promise<void> {
    const created = kafka.consumer({
      groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 2 * 1024 * 1024,
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    consumer = created;
    created.on(created.events.CRASH, ({ payload }) => {
      if (payload.restart || stopping) return;
      // kafkajs restarts by itself after retriable errors; for any other crash the service
      // keeps its promise to resume by itself: a fresh consumer joins the group again.
      log.error({ err: payload.error }, `consumer crashed; re-creating it in ${RESTART_AFTER_CRASH_MS} ms`);
      restartTimer = setTimeout(() => {
        void created
          .disconnect()
          .catch(() => undefined)
          .then(() => (stopping ? undefined : runConsumer()))
          .catch((error: unknown) => log.error({ err: error }, 'could not restart the consumer'));
      }, RESTART_AFTER_CRASH_MS);
    });
    created.on(created.events.GROUP_JOIN, () => {
      failingBatches.clear();
      options.onGroupJoin?.();
    });
    // A transactional producer ends each transaction with a commit marker. A fetch of
    // only markers never reaches eachBatch; kafkajs resolves it but, with autoCommit off, nobody
    // commits it, and the group would report a lag of 1 per partition while idle.
    created.on(created.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0 || stopping) return;
      const offset = (BigInt(payload.lastOffset) + 1n).toString();
      created.commitOffsets([{ topic: payload.topic, partition: payload.partition, offset }]).catch((error: unknown) => {
        log.debug({ err: error, partition: payload.partition }, 'could not commit past a transaction marker; the next batch will');
      });
    });
    await created.connect();
    await created.subscribe({ topic, fromBeginning: true });
    await created.run({ eachBatchAutoResolve: false, autoCommit: false, partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently, eachBatch });
  }

  async function refreshGauges(): Promise<void> {
    try {
      const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
      const committedByPartition = new Map((committed[0]?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]));
      for (const end of ends) {
        const position = committedByPartition.get(end.partition) ?? -1n;
        const from = position < 0n ? BigInt(end.low) : position;
        const lag = BigInt(end.high) - from;
        metrics.consumerLag.set({ topic, partition: String(end.partition) }, Number(lag < 0n ? 0n : lag));
      }
      const summary = await repository.summary();
      metrics.ordersByStatus.reset();
      for (const [status, count] of Object.entries(summary.ordersByStatus)) metrics.ordersByStatus.set({ status }, count);
      metrics.revenue.reset();
      for (const [currency, amount] of Object.entries(summary.revenueByCurrency)) metrics.revenue.set({ currency }, Number(amount));
    } catch (error) {
      log.debug({ err: error }, 'could not refresh lag and order gauges');
    }
  }

  return {
    async start() {
      stopping = false;
      // Java's partitioner (murmur2 of the key), as the cart service uses, for the dead letters of an order.
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      // The order service may start before any order was created: subscribing needs the topic.
      const created = await ensureTopics(admin, [topic, deadLetterTopic]);
      if (created.length > 0) log.info({ topics: created }, 'created topics');
      await runConsumer();
      if (settings.gaugeIntervalMs > 0) {
        gaugeTimer = setInterval(() => void refreshGauges(), settings.gaugeIntervalMs);
        gaugeTimer.unref();
      }
    },

    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      clearInterval(gaugeTimer);
      // kafkajs waits for the batch in hand (which commits before returning) before leaving the group.
      await consumer?.disconnect().catch((error: unknown) => log.warn({ err: error }, 'consumer did not disconnect cleanly'));
      await producer?.disconnect().catch((error: unknown) => log.warn({ err: error }, 'producer did not disconnect cleanly'));
    },
  };
}
