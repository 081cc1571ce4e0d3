import { Partitioners, type Kafka, type Message, type Producer, type RecordMetadata } from 'kafkajs';
import { kafkaError } from './kafka-errors';

export interface IdempotentSenderOptions {
  kafka: Kafka;
  /** How long Kafka may take to acknowledge one send. */
  timeoutMs: number;
}

/** Messages for one topic, in the order they must keep. */
export interface TopicMessages {
  topic: string;
  messages: Message[];
}

/** Sends batches with an idempotent producer. See {@link createIdempotentSender}. */
export interface IdempotentSender {
  connect(): Promise<void>;
  /** Resolves, with where Kafka put them, when Kafka acknowledged every message (acks=all); rejects when any was not. */
  send(batch: TopicMessages[]): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}

/**
 * An idempotent producer (acks=all, one request in flight), so retries inside a send never
 * duplicate or reorder a partition's records, and records keep the order of the batch per
 * partition. A failed send may have reached some partitions: the caller sends the same records
 * again, and readers drop the repeats by event id.
 *
 * After a failed send the producer is replaced: an idempotent producer whose sequence numbers no
 * longer match the broker's keeps failing (https://github.com/tulios/kafkajs/issues/598), while
 * a new one starts a new producer id.
 */
export function createIdempotentSender({ kafka, timeoutMs }: IdempotentSenderOptions): IdempotentSender {
  const newProducer = (): Producer =>
    kafka.producer({
      idempotent: true,
      // kafkajs requires one request in flight for idempotence.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java's partitioner (murmur2 of the key), so Java producers put an order's events on the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Few fast retries: an outage becomes a failed send within seconds; the caller retries the batch.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    });

  let producer = newProducer();
  let connected: Promise<void> | undefined;

  function connect(): Promise<void> {
    connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    return connected;
  }

  async function replaceProducer(): Promise<void> {
    const broken = producer;
    producer = newProducer();
    connected = undefined;
    await broken.disconnect().catch(() => undefined);
  }

  return {
    connect,
    async send(batch) {
      try {
        await connect();
        return await producer.sendBatch({ topicMessages: batch, acks: -1, timeout: timeoutMs });
      } catch (error) {
        await replaceProducer();
        throw kafkaError(error);
      }
    },
    async disconnect() {
      await producer.disconnect();
    },
  };
}
