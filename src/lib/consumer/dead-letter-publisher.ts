import { Partitioners, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import { AppError } from '../../errors';
import type { Logger } from '../../logger';
import { isRecordRefused, kafkaError, TOPIC_NAME } from '../kafka';
import type { Metrics } from '../metrics';
import type { PoisonRecord } from './poison-record';

export interface DeadLetterPublisher {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends `poison` (records of `partition` of the source topic) to the dead-letter topic, each once per instance until {@link forget}. */
  publish(partition: number, poison: readonly PoisonRecord[]): Promise<void>;
  /** The offsets of `partition` were committed: these records will not come back. */
  forget(partition: number, offsets: readonly string[]): void;
}

/** The names of the headers a dead letter carries besides its source record's own. */
export const DLQ_HEADERS = {
  errorCode: 'dlq-error-code',
  errorKind: 'dlq-error-kind',
  errorMessage: 'dlq-error-message',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  recordId: 'dlq-record-id',
  eventType: 'dlq-event-type',
  eventId: 'dlq-event-id',
  schemaId: 'dlq-schema-id',
} as const;

/** A dead letter's id: where its source record was, `<topic>/<partition>/<offset>`. */
export function deadLetterRecordId(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

/** The ids {@link deadLetterRecordId} writes, as a pattern (digits spelled [0-9], so JSON Schema engines read it alike). */
export const RECORD_ID_PATTERN = `^${TOPIC_NAME}/[0-9]{1,10}/[0-9]{1,19}$`;

/** The headers a dead letter carries besides its source record's own; consumers of the dead-letter topic read these. */
export function deadLetterHeaders(item: PoisonRecord, sourceTopic: string, partition: number): IHeaders {
  return {
    ...(item.message.headers ?? {}),
    [DLQ_HEADERS.errorCode]: item.errorCode,
    [DLQ_HEADERS.errorKind]: item.errorKind ?? 'POISON_MESSAGE',
    [DLQ_HEADERS.errorMessage]: item.errorMessage.slice(0, 1_000),
    [DLQ_HEADERS.sourceTopic]: sourceTopic,
    [DLQ_HEADERS.sourcePartition]: String(partition),
    [DLQ_HEADERS.sourceOffset]: item.message.offset,
    [DLQ_HEADERS.recordId]: deadLetterRecordId(sourceTopic, partition, item.message.offset),
    ...(item.eventType ? { [DLQ_HEADERS.eventType]: item.eventType } : {}),
    ...(item.eventId ? { [DLQ_HEADERS.eventId]: item.eventId } : {}),
    ...(item.schemaId !== undefined ? { [DLQ_HEADERS.schemaId]: String(item.schemaId) } : {}),
  };
}

type DeadLetter = { key: Buffer | null; value: Buffer | null; headers: IHeaders };

/**
 * Sends `messages` to the dead-letter topic. When Kafka refuses records themselves (larger than
 * the dead-letter topic accepts), they go one by one, and one still refused goes without its value
 * (its headers say why): a dead letter that can never be sent would stall its partition for good.
 */
async function sendTo(producer: Producer, topic: string, messages: DeadLetter[]): Promise<void> {
  try {
    await producer.send({ topic, acks: -1, messages });
  } catch (error) {
    const failure = kafkaError(error);
    if (!isRecordRefused(failure)) throw failure;
    if (messages.length > 1) {
      for (const message of messages) await sendTo(producer, topic, [message]);
      return;
    }
    const [refused] = messages as [DeadLetter];
    await producer.send({ topic, acks: -1, messages: [{ key: refused.key, value: null, headers: { ...refused.headers, 'dlq-value-omitted': `Kafka refused the record: ${failure.message}`.slice(0, 1_000) } }] }).catch((second: unknown) => {
      throw kafkaError(second);
    });
  }
}

/**
 * Delivery is at least once. A batch's poison is dead-lettered BEFORE its transaction commits
 * and its offsets are committed, so the same source record can be processed again after it was
 * dead-lettered:
 *  - the transaction fails transiently and the batch is retried whole, or fails otherwise and
 *    is re-applied record by record: the publisher remembers what this instance sent until the
 *    offsets are committed ({@link DeadLetterPublisher.forget}), so these cases send NO duplicate
 *    (test: dead-letter-once);
 *  - the process dies or the partition moves to another instance after the send and before the
 *    offset commit: the next owner does not know, and sends the record again. The window is one
 *    batch's transaction plus one offset commit; only then can a DUPLICATE reach the topic.
 * Every dead letter therefore carries `dlq-record-id: <topic>/<partition>/<offset>` of its source
 * record, the same for every copy: consumers of the dead-letter topic deduplicate on it. A dead
 * letter keeps its source record's key, and Java's partitioner (murmur2 of the key, as the cart
 * uses), so an order's dead letters stay in order.
 */
export function createDeadLetterPublisher({ kafka, sourceTopic, deadLetterTopic, metrics, logger }: { kafka: Kafka; sourceTopic: string; deadLetterTopic: string; metrics: Metrics; logger: Logger }): DeadLetterPublisher {
  const sent = new Set<string>();
  const positionKey = (partition: number, offset: string): string => `${partition}/${offset}`;
  let producer: Producer | undefined;

  return {
    async start() {
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
    },

    async stop() {
      await producer?.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'dead-letter producer did not disconnect cleanly'));
    },

    async publish(partition, poison) {
      const fresh = poison.filter((item) => !sent.has(positionKey(partition, item.message.offset)));
      if (fresh.length < poison.length) logger.debug({ partition, records: poison.length - fresh.length }, 'records already dead-lettered by this instance; not sending them again');
      if (fresh.length === 0) return;
      if (!producer) throw new AppError('DEPENDENCY_UNAVAILABLE', 'the dead-letter producer is not connected');
      const messages = fresh.map((item) => ({ key: item.message.key, value: item.message.value, headers: deadLetterHeaders(item, sourceTopic, partition) }));
      await sendTo(producer, deadLetterTopic, messages);
      for (const item of fresh) {
        sent.add(positionKey(partition, item.message.offset));
        metrics.deadLetters.inc({ reason: item.errorCode });
        metrics.eventsConsumed.inc({ event_type: item.eventType ?? 'unknown', outcome: 'dead_lettered' });
        logger.warn({ partition, offset: item.message.offset, eventId: item.eventId, errorCode: item.errorCode, reason: item.errorMessage }, 'record sent to the dead-letter topic');
      }
    },

    forget(partition, offsets) {
      for (const offset of offsets) sent.delete(positionKey(partition, offset));
    },
  };
}
