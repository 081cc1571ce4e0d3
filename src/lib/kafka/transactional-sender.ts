import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';

export interface TransactionalSenderOptions {
  kafka: Kafka;
  topic: string;
  /** Prefix of the producer's transactional id; a random suffix keeps instances apart. */
  transactionalIdPrefix: string;
  /** How long Kafka may take to acknowledge one send. */
  timeoutMs: number;
}

/** Sends batches of messages to one topic, each batch all-or-nothing. See {@link createTransactionalSender}. */
export interface TransactionalSender {
  connect(): Promise<void>;
  /** Resolves when every message is committed to Kafka; rejects when none of them will ever be visible. */
  send(messages: Message[]): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * One Kafka transaction per batch, so a batch that spans partitions becomes visible to
 * consumers (which read committed) all together or not at all: when one partition refuses
 * its records, the transaction is aborted and the records other partitions accepted stay
 * invisible — a caller answering "nothing was stored" is then telling the truth.
 *
 * kafkajs allows one open transaction per producer, so sends are serialised. After a failed
 * send the producer is replaced: an idempotent producer whose sequence numbers no longer
 * match the broker's keeps failing (https://github.com/tulios/kafkajs/issues/598), while a
 * new one starts a new producer id and epoch.
 */
export function createTransactionalSender({ kafka, topic, transactionalIdPrefix, timeoutMs }: TransactionalSenderOptions): TransactionalSender {
  const newProducer = (): Producer =>
    kafka.producer({
      transactionalId: `${transactionalIdPrefix}-${randomUUID()}`,
      idempotent: true,
      // kafkajs requires one request in flight for idempotence and transactions.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java's partitioner (murmur2 of the key), so Java producers put an order's events on the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Few fast retries: an outage becomes a failed send within seconds, and the batch is aborted.
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
    });

  let producer = newProducer();
  let connected: Promise<void> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

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

  async function sendInTransaction(messages: Message[]): Promise<void> {
    await connect();
    const transaction = await producer.transaction();
    try {
      await transaction.send({ topic, acks: -1, timeout: timeoutMs, messages });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      await replaceProducer();
      throw error;
    }
  }

  return {
    connect,
    send(messages) {
      const sent = queue.then(() => sendInTransaction(messages));
      queue = sent.catch(() => undefined);
      return sent;
    },
    async disconnect() {
      await queue;
      await producer.disconnect();
    },
  };
}
