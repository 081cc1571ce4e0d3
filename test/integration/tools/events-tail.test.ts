import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import type { Admin, Producer } from 'kafkajs';
import { Decimal } from '../../../src/domain';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createOrderEventSerde, EVENT_ID_HEADER, EVENT_TYPE_HEADER, type OrderEvent } from '../../../src/lib/registry';
import { testConfig, uniqueSuffix } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { freeLoopbackPort } from '../../helpers/ports';

const ROOT = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(ROOT, 'scripts/events-tail.ts');

interface TailRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

interface RunningTail {
  /** Everything printed to stdout so far. */
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<TailRun>;
}

/** Starts the script as its own node process (one process, so signals reach it directly). */
function startTail(args: string[], { timeoutMs = 45_000 } = {}): RunningTail {
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A hung tail fails the test with what it printed instead of hanging mocha.
  const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<TailRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - startedAt });
    });
  });
  return { stdout: () => stdout, stderr: () => stderr, kill: (signal) => child.kill(signal), exited };
}

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Failure output: exactly one line, ours, and no stack trace. */
function expectOneClearLine(run: TailRun, mentions: string): void {
  const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(run.code, run.stderr).to.equal(1);
  expect(run.stdout, 'nothing on stdout').to.equal('');
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(/^✗ events:tail: /);
  expect(lines[0]).to.include(mentions);
  expect(run.stderr).not.to.match(/^\s+at /m);
}

describe('npm run events:tail', function () {
  this.timeout(60_000);
  const config = testConfig();
  const topic = config.ORDER_EVENTS_TOPIC;
  const dlqTopic = config.DEAD_LETTER_TOPIC;
  const connection = ['--brokers', config.KAFKA_BROKERS, '--registry-url', config.SCHEMA_REGISTRY_URL];
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'events-tail-test' });
  let admin: Admin;
  let producer: Producer;

  const orderId = `ORDER-${uniqueSuffix()}`;
  const created: OrderEvent = {
    type: 'OrderCreated',
    event: {
      eventId: '6f1c1b1e-3c2a-4d8e-9a51-0d7e2b9c4f10',
      occurredAt: new Date('2026-03-01T12:34:56.789Z'),
      order: {
        orderId,
        customerId: 'CUST-42',
        orderDate: new Date('2026-02-28T23:59:59.001Z'),
        items: [
          { itemId: 'SKU-1', quantity: 3, price: new Decimal('19.90') },
          { itemId: 'SKU-2', quantity: 1, price: new Decimal('0.05') },
          { itemId: 'SKU-3', quantity: 1, price: new Decimal('9999999.10') },
        ],
        totalAmount: new Decimal('10000058.85'),
        currency: 'EUR',
        status: 'pending',
        salesChannel: 'mobile',
      },
    },
  };
  const updated: OrderEvent = {
    type: 'OrderStatusUpdated',
    event: {
      eventId: '0b5e7d3a-9f64-4c1e-8a2b-5d3c6e7f8a90',
      occurredAt: new Date('2026-03-01T13:00:00.000Z'),
      orderId,
      status: 'confirmed',
      previousStatus: 'pending',
    },
  };

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    // One partition, so the three records have offsets 0, 1, 2 in the order produced.
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }, { topic: dlqTopic, numPartitions: 1 }], waitForLeaders: true });
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const serde = createOrderEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic });
    const headersOf = (event: OrderEvent) => ({ [EVENT_TYPE_HEADER]: event.type, [EVENT_ID_HEADER]: event.event.eventId });
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: orderId, value: await serde.encode(created), headers: headersOf(created) },
        { key: orderId, value: await serde.encode(updated), headers: headersOf(updated) },
        { key: 'not-avro', value: Buffer.from('{"orderId":"ORDER-1"}') },
      ],
    });
    await producer.send({
      topic: dlqTopic,
      acks: -1,
      messages: [
        {
          key: 'raw-key',
          value: Buffer.from('plain text, not Avro'),
          headers: {
            'dlq-error-code': 'NOT_CONFLUENT_AVRO',
            'dlq-error-kind': 'POISON_MESSAGE',
            'dlq-error-message': 'message starts with byte 0x70, not the Confluent magic byte 0x00',
            'dlq-source-topic': topic,
            'dlq-source-partition': '0',
            'dlq-source-offset': '7',
          },
        },
      ],
    });
  });

  after(async () => {
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  it('prints each record as one JSON line: decoded events with exact money and ISO dates, an error line for a non-Avro record', async () => {
    const run = await startTail(['--topic', topic, ...connection, '--from-beginning', '--max-messages', '3']).exited;
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.include('3 records printed');
    const lines = jsonLines(run.stdout);
    expect(lines).to.have.length(3);
    const [first, second, third] = lines;
    const schemaIds = [first?.schemaId, second?.schemaId];

    expect(first).to.deep.equal({
      topic,
      partition: 0,
      offset: '0',
      key: orderId,
      headers: { 'event-type': 'OrderCreated', 'event-id': created.event.eventId },
      type: 'OrderCreated',
      schemaId: schemaIds[0],
      event: {
        eventId: '6f1c1b1e-3c2a-4d8e-9a51-0d7e2b9c4f10',
        occurredAt: '2026-03-01T12:34:56.789Z',
        order: {
          orderId,
          customerId: 'CUST-42',
          orderDate: '2026-02-28T23:59:59.001Z',
          items: [
            { itemId: 'SKU-1', quantity: 3, price: '19.90' },
            { itemId: 'SKU-2', quantity: 1, price: '0.05' },
            { itemId: 'SKU-3', quantity: 1, price: '9999999.10' },
          ],
          totalAmount: '10000058.85',
          currency: 'EUR',
          status: 'pending',
          salesChannel: 'mobile',
        },
      },
    });
    expect(second).to.deep.equal({
      topic,
      partition: 0,
      offset: '1',
      key: orderId,
      headers: { 'event-type': 'OrderStatusUpdated', 'event-id': updated.event.eventId },
      type: 'OrderStatusUpdated',
      schemaId: schemaIds[1],
      event: {
        eventId: '0b5e7d3a-9f64-4c1e-8a2b-5d3c6e7f8a90',
        occurredAt: '2026-03-01T13:00:00.000Z',
        orderId,
        status: 'confirmed',
        previousStatus: 'pending',
      },
    });
    for (const schemaId of schemaIds) expect(schemaId).to.be.a('number').and.greaterThan(0);
    expect(schemaIds[0]).not.to.equal(schemaIds[1]);
    expect(third).to.deep.equal({
      topic,
      partition: 0,
      offset: '2',
      key: 'not-avro',
      headers: {},
      error: {
        code: 'POISON_MESSAGE',
        reason: 'NOT_CONFLUENT_AVRO',
        message: 'message starts with byte 0x7b, not the Confluent magic byte 0x00',
      },
    });
    // Money never went through a float: the raw line carries the strings.
    expect(run.stdout).to.include('"totalAmount":"10000058.85"').and.include('"price":"19.90"');
  });

  it('on the dead-letter topic prints the raw record as an error line with its dlq-* headers', async () => {
    const run = await startTail(['--topic', dlqTopic, ...connection, '--from-beginning', '--max-messages', '1']).exited;
    expect(run.code, run.stderr).to.equal(0);
    expect(jsonLines(run.stdout)).to.deep.equal([
      {
        topic: dlqTopic,
        partition: 0,
        offset: '0',
        key: 'raw-key',
        headers: {
          'dlq-error-code': 'NOT_CONFLUENT_AVRO',
          'dlq-error-kind': 'POISON_MESSAGE',
          'dlq-error-message': 'message starts with byte 0x70, not the Confluent magic byte 0x00',
          'dlq-source-topic': topic,
          'dlq-source-partition': '0',
          'dlq-source-offset': '7',
        },
        error: { code: 'POISON_MESSAGE', reason: 'NOT_CONFLUENT_AVRO', message: 'message starts with byte 0x70, not the Confluent magic byte 0x00' },
      },
    ]);
  });

  it('SIGTERM disconnects cleanly: exit 0 within seconds, and its throwaway consumer group is gone', async () => {
    const tail = startTail(['--topic', topic, ...connection, '--from-beginning']);
    await waitFor(() => jsonLines(tail.stdout()).length === 3, { what: 'the three records', timeoutMs: 30_000 });
    const group = /group (events-tail-[0-9a-f]+)/.exec(tail.stderr())?.[1];
    expect(group, tail.stderr()).to.be.a('string');
    const signalledAt = Date.now();
    tail.kill('SIGTERM');
    const run = await tail.exited;
    expect(run.code, run.stderr).to.equal(0);
    expect(Date.now() - signalledAt, 'the disconnect is quick').to.be.below(10_000);
    expect(run.stderr).to.include('SIGTERM, disconnecting').and.include('3 records printed');
    const { groups } = await admin.listGroups();
    expect(groups.map(({ groupId }) => groupId)).not.to.include(group);
  });

  it('unreachable brokers -> exit 1 with one clear line and no stack trace, in bounded time', async () => {
    const brokers = `127.0.0.1:${await freeLoopbackPort()}`;
    const run = await startTail(['--topic', topic, '--brokers', brokers, '--registry-url', config.SCHEMA_REGISTRY_URL]).exited;
    expectOneClearLine(run, `Kafka at ${brokers} is unavailable`);
    expect(run.elapsedMs).to.be.below(20_000);
  });

  it('unreachable schema registry -> exit 1 with one clear line and no stack trace, in bounded time', async () => {
    const registryUrl = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const run = await startTail(['--topic', topic, '--brokers', config.KAFKA_BROKERS, '--registry-url', registryUrl]).exited;
    expectOneClearLine(run, `schema registry at ${registryUrl} is unreachable`);
    expect(run.elapsedMs).to.be.below(20_000);
  });
});
