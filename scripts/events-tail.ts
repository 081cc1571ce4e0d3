/**
 * `npm run events:tail`: follows a topic of order events and prints each record as one JSON
 * line on stdout — `{ topic, partition, offset, key, headers, type, schemaId, event }`, the event
 * decoded through the shared serde (money as exact decimal strings at the schema's scale, instants
 * as ISO strings). A record that cannot be decoded prints `{ ..., error: { code, reason, message } }`
 * instead and the tail goes on; on the dead-letter topic the `dlq-*` headers say why it is there.
 *
 * It consumes in a throwaway group (`events-tail-<random>`) that commits no offsets and is deleted
 * on exit. Progress and failures go to stderr, so stdout stays one JSON document per line.
 *
 * Usage: npm run events:tail -- [--topic <t>] [--from-beginning] [--max-messages <n>] [--brokers <b>] [--registry-url <url>]
 */
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { logLevel, type Admin, type Consumer, type EachMessagePayload } from 'kafkajs';
import { ConfigError, loadConfig } from '../src/config';
import { AppError, toAppError } from '../src/errors';
import { createKafkaClient, headersAsText, kafkaConnection } from '../src/lib/kafka';
import { createOrderEventSerde, eventJson, poisonReasonOf } from '../src/lib/registry';

interface Options {
  topic?: string;
  fromBeginning: boolean;
  maxMessages?: number;
  registryUrl?: string;
  brokers?: string;
}

/** A failure the user can act on: printed as one line, without a stack trace. */
class TailError extends Error {
  override name = 'TailError';
}

/** How often a decode that failed for want of the registry is retried before the tail gives up. */
const DECODE_RETRIES = 3;
/** Bound on connecting to the brokers and on the registry probe. */
const CONNECT_TIMEOUT_MS = 3_000;
/** Bound on the clean shutdown (leave the group, delete it); a stuck broker cannot hold the tail. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return parsed;
}

function parseOptions(argv: string[]): Options {
  return new Command('events:tail')
    .description('Print the records of an order events topic as JSON lines, decoded through the schema registry.')
    .option('--topic <topic>', 'topic to follow (default: ORDER_EVENTS_TOPIC); the dead-letter topic works too')
    .option('--from-beginning', 'start at the earliest offset instead of only new records', false)
    .option('--max-messages <n>', 'exit after printing this many records', positiveInt)
    .option('--registry-url <url>', 'Confluent-compatible registry API (default: SCHEMA_REGISTRY_URL)')
    .option('--brokers <host:port,...>', 'Kafka bootstrap servers (default: KAFKA_BROKERS)')
    .parse(argv)
    .opts<Options>();
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** What an undecodable record prints instead of its event. */
function errorJson(error: AppError): { code: string; reason: string | null; message: string } {
  return { code: error.code, reason: poisonReasonOf(error) ?? error.details.reason ?? null, message: error.message };
}

// ---------------------------------------------------------------------------------------------
// Running

/** Writes one line; waits while the reader is behind (`| less`), so a long topic is not buffered in memory. */
async function writeLine(line: unknown): Promise<void> {
  const { stdout } = process;
  if (stdout.write(`${JSON.stringify(line)}\n`)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error']) stdout.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'close', 'error']) stdout.once(event, done);
  });
}

/** One line about a failure the user can act on, prefixed so it reads apart from the JSON lines. */
function describeFailure(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  const expected = error instanceof TailError || error instanceof AppError || error instanceof ConfigError || (typeof name === 'string' && name.startsWith('KafkaJS'));
  if (!expected) return `✗ events:tail: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  return `✗ events:tail: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`;
}

/** Fails with one clear line when nothing answers at `registryUrl` as a schema registry. */
async function probeRegistry(registryUrl: string): Promise<void> {
  const url = `${registryUrl.replace(/\/+$/, '')}/schemas/types`;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { message?: unknown } }).cause;
    const detail = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${CONNECT_TIMEOUT_MS} ms` : typeof cause?.message === 'string' ? cause.message : String(error);
    throw new TailError(`schema registry at ${registryUrl} is unreachable: ${detail}`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new TailError(`${url} answered ${response.status}; is ${registryUrl} a Confluent-compatible registry API (--registry-url / SCHEMA_REGISTRY_URL)?`);
}

function kafkaFailure(brokers: string, error: unknown): TailError {
  const detail = error instanceof Error ? error.message : String(error);
  return new TailError(`Kafka at ${brokers} is unavailable: ${detail}`);
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  // The command line wins; the environment gives the rest, and always how to reach Kafka (TLS, SASL).
  const config = loadConfig();
  const topic = options.topic ?? config.ORDER_EVENTS_TOPIC;
  const registryUrl = options.registryUrl ?? config.SCHEMA_REGISTRY_URL;
  const brokers = options.brokers ?? config.KAFKA_BROKERS;
  const maxMessages = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const groupId = `events-tail-${randomBytes(4).toString('hex')}`;

  const kafka = createKafkaClient({
    ...kafkaConnection({ ...config, KAFKA_BROKERS: brokers }),
    clientId: 'orderflow-events-tail',
    // Failures reach the user as one line from this script; kafkajs' own logs would go to stdout.
    overrides: { logLevel: logLevel.NOTHING, connectionTimeout: CONNECT_TIMEOUT_MS, retry: { initialRetryTime: 300, maxRetryTime: 2_000, retries: 3 } },
  });
  const serde = createOrderEventSerde({ registryUrl, topic });
  let admin: Admin | undefined;
  let consumer: Consumer | undefined;
  let printed = 0;
  let stopping = false;
  let finish: (outcome: { error?: unknown }) => void = () => undefined;
  const finished = new Promise<{ error?: unknown }>((resolve) => (finish = resolve));
  const stop = (outcome: { error?: unknown } = {}) => {
    if (stopping) return;
    stopping = true;
    finish(outcome);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`✗ events:tail: ${signal} again, exiting without a clean disconnect`);
      process.exit(130);
    }
    console.error(`events:tail: ${signal}, disconnecting`);
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `events:tail | head` closes our stdout: stop quietly rather than crash on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => stop(error.code === 'EPIPE' ? {} : { error }));

  async function disconnect(): Promise<void> {
    await consumer?.disconnect().catch(() => undefined);
    // The group committed nothing; deleting it keeps `kafka-consumer-groups --list` clean.
    if (consumer) await admin?.deleteGroups([groupId]).catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }

  async function decodeWithRetry(value: Buffer | null) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await serde.decode(value as Buffer);
      } catch (error) {
        // The registry cannot answer now: nothing is wrong with the record, so do not print it
        // as undecodable; retry, then give up on the whole tail.
        if (!(error instanceof AppError && error.retriable) || attempt >= DECODE_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
  }

  async function eachMessage({ topic: recordTopic, partition, message }: EachMessagePayload): Promise<void> {
    if (stopping) return;
    const record = {
      topic: recordTopic,
      partition,
      offset: message.offset,
      key: message.key === null ? null : message.key.toString('utf8'),
      headers: headersAsText(message.headers),
    };
    let line: Record<string, unknown>;
    try {
      const decoded = await decodeWithRetry(message.value);
      line = { ...record, type: decoded.type, schemaId: decoded.schemaId, event: eventJson(decoded) };
    } catch (caught) {
      const error = toAppError(caught);
      if (error.retriable) {
        stop({ error: new TailError(`cannot decode ${recordTopic}/${partition}@${message.offset}: ${error.message}`) });
        return;
      }
      line = { ...record, error: errorJson(error) };
    }
    if (stopping) return;
    printed += 1;
    await writeLine(line);
    if (printed >= maxMessages) stop();
  }

  const startup = (async () => {
    await probeRegistry(registryUrl);
    admin = kafka.admin();
    try {
      await admin.connect();
      const topics = await admin.listTopics();
      if (!topics.includes(topic)) throw new TailError(`topic '${topic}' does not exist on ${brokers} (scripts/kafka-topics --list shows the topics)`);
    } catch (error) {
      throw error instanceof TailError ? error : kafkaFailure(brokers, error);
    }
    if (stopping) return;
    // kafkajs consumes only as a group member; this group never commits and is deleted on exit.
    consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      // Short fetch waits, so Ctrl-C does not wait out a long poll of an idle topic.
      maxWaitTimeInMs: 1_000,
      // A crash after kafkajs' own retries ends the tail with its message instead of looping.
      retry: { initialRetryTime: 300, maxRetryTime: 2_000, retries: 3, restartOnFailure: async () => false },
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => stop({ error: kafkaFailure(brokers, payload.error) }));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning });
      if (stopping) return;
      console.error(`events:tail: following ${topic} on ${brokers} (group ${groupId}${options.fromBeginning ? ', from the beginning' : ''}); Ctrl-C stops`);
      await consumer.run({ autoCommit: false, eachMessage });
    } catch (error) {
      throw kafkaFailure(brokers, error);
    }
  })();
  startup.catch((error: unknown) => stop({ error }));

  const { error } = await finished;
  const shutdown = disconnect();
  const timedOut = await Promise.race([shutdown.then(() => false), new Promise<boolean>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS, true).unref())]);
  if (error !== undefined) {
    console.error(describeFailure(error));
    return 1;
  }
  if (timedOut) console.error(`events:tail: Kafka did not confirm the disconnect within ${SHUTDOWN_TIMEOUT_MS} ms`);
  console.error(`events:tail: ${printed} record${printed === 1 ? '' : 's'} printed`);
  return 0;
}

void main(process.argv)
  .catch((error: unknown) => {
    console.error(describeFailure(error));
    return 1;
  })
  // Exit once stdout has taken every line (the write callback runs after the earlier writes).
  .then((code) => process.stdout.write('', () => process.exit(code)));
