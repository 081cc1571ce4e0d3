/**
 * Consumer benchmark: pre-loads a fresh topic with N order events (created + status updates
 * across several thousand orders) using the real serde, then measures how fast the order
 * service persists them — batch mode (one transaction per fetched batch) against
 * one-transaction-per-message mode — each in its own group and database schema.
 *
 * Usage: npm run bench:consumer -- [--events 200000] [--orders events/5] [--partitions 3] [--per-message-timeout 120]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { Partitioners } from 'kafkajs';
import { loadConfig, type Config } from '../../src/config';
import { Decimal } from '../../src/domain';
import { createDatabase, databaseConnection, migrateToLatest, type Knex } from '../../src/lib/db';
import { createKafkaClient, kafkaConnection } from '../../src/lib/kafka';
import { createOrderEventSerde, type OrderEvent } from '../../src/lib/registry';
import { ORDER_DATABASE, startOrderService } from '../../src/order-service';
import { cpuSplitBetween, takeCpuSnapshot, type CpuSplit } from './cpu-usage';
import { copyRows } from './raw-copy';

const LIFECYCLE = ['pending', 'confirmed', 'paid', 'shipped', 'delivered'] as const;

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return parsed;
}

const program = new Command()
  .name('bench:consumer')
  .option('--events <n>', 'events to pre-load', positiveInt, 200_000)
  .option('--orders <n>', 'orders the events belong to (each gets a created event and up to 4 updates)', positiveInt)
  .option('--partitions <n>', 'partitions of the benchmark topic', positiveInt, 3)
  .option('--per-message-timeout <s>', 'stop the per-message run after this many seconds and report its rate so far', positiveInt, 120)
  .parse();
const options = program.opts<{ events: number; orders?: number; partitions: number; perMessageTimeout: number }>();

/** The events: each order's created event then its updates, in lifecycle order. */
function buildEvents(total: number, orders: number): Array<{ key: string; event: OrderEvent }> {
  const events: Array<{ key: string; event: OrderEvent }> = [];
  const perOrder = Math.max(1, Math.ceil(total / orders));
  for (let index = 0; events.length < total; index += 1) {
    const orderId = `BENCH-${index}`;
    const price = new Decimal(1 + (index % 500)).plus('0.99');
    const now = new Date();
    events.push({
      key: orderId,
      event: {
        type: 'OrderCreated',
        event: {
          eventId: randomUUID(),
          occurredAt: now,
          order: {
            orderId,
            customerId: `CUST-${index % 997}`,
            orderDate: now,
            items: [{ itemId: `SKU-${index % 50}`, quantity: 2, price }],
            totalAmount: price.times(2),
            currency: 'EUR',
            status: 'pending',
          },
        },
      } as unknown as OrderEvent, // built to the generated input type; v2's salesChannel has a default
    });
    for (let step = 1; step < Math.min(perOrder, LIFECYCLE.length) && events.length < total; step += 1) {
      events.push({
        key: orderId,
        event: {
          type: 'OrderStatusUpdated',
          event: { eventId: randomUUID(), occurredAt: now, orderId, status: LIFECYCLE[step], previousStatus: LIFECYCLE[step - 1] },
        } as unknown as OrderEvent,
      });
    }
  }
  return events;
}

async function preload(config: Config, events: Array<{ key: string; event: OrderEvent }>, orders: number, partitions: number): Promise<void> {
  const kafka = createKafkaClient({ ...kafkaConnection(config), clientId: 'bench-consumer-loader' });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: config.ORDER_EVENTS_TOPIC, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  const serde = createOrderEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.ORDER_EVENTS_TOPIC });
  await serde.registerSchemas();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = Date.now();
  for (let start = 0; start < events.length; start += 5_000) {
    const slice = events.slice(start, start + 5_000);
    const messages = await Promise.all(slice.map(async ({ key, event }) => ({ key, value: await serde.encode(event) })));
    await producer.send({ topic: config.ORDER_EVENTS_TOPIC, acks: -1, messages });
  }
  await producer.disconnect();
  console.log(`pre-loaded ${events.length} events (${orders} orders) into ${config.ORDER_EVENTS_TOPIC} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function countHistory(knex: Knex): Promise<number> {
  const [row] = (await knex('order_events').count({ count: '*' })) as Array<{ count: string }>;
  return Number(row?.count ?? 0);
}

interface RunResult {
  mode: string;
  events: number;
  seconds: number;
  rate: number;
  complete: boolean;
  /** Where the CPU went while it ran (the consumer runs in this process). */
  cpu?: CpuSplit | undefined;
}

/** A fresh, migrated schema for one run; `drop` removes it. */
async function freshSchema(config: Config, name: string): Promise<{ knex: Knex; drop(): Promise<void> }> {
  const schema = `bench_${name.replace('-', '_')}_${randomBytes(3).toString('hex')}`;
  const knex = createDatabase({ ...databaseConnection(config), database: ORDER_DATABASE, schema, poolMax: 10 });
  await migrateToLatest(knex, ORDER_DATABASE, { schema });
  return {
    knex,
    async drop() {
      await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await knex.destroy();
    },
  };
}

async function runCopy(config: Config, events: Array<{ key: string; event: OrderEvent }>): Promise<RunResult> {
  const { knex, drop } = await freshSchema(config, 'copy');
  try {
    const seconds = await copyRows(knex, events, config.ORDER_EVENTS_TOPIC);
    const copied = await countHistory(knex);
    return { mode: 'raw COPY (ceiling)', events: copied, seconds, rate: copied / seconds, complete: copied >= events.length };
  } finally {
    await drop();
  }
}

async function run(config: Config, mode: 'batch' | 'per-message', total: number, timeoutSeconds: number): Promise<RunResult> {
  const { knex, drop } = await freshSchema(config, mode);
  const groupConfig = { ...config, CONSUMER_GROUP_ID: `bench-${mode}-${randomBytes(3).toString('hex')}` };
  const service = await startOrderService(groupConfig, {
    knex,
    maxEventsPerTransaction: mode === 'batch' ? undefined : 1,
    withoutHttp: true,
    gaugeIntervalMs: 0,
  });
  // startOrderService resolves once the consumer has joined its group (kafkajs joins before run()
  // returns), so the clock counts fetching, decoding and writing, not the join.
  const started = Date.now();
  const cpuBefore = takeCpuSnapshot([]);
  let persisted = 0;
  let lastAt = started;
  const deadline = started + timeoutSeconds * 1000;
  try {
    // Polls the service's own counter (incremented after each commit), so the benchmark
    // does not load the database it measures; the database count is checked at the end.
    while (persisted < total && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { values } = await service.metrics.eventsConsumed.get();
      persisted = values.reduce((sum, value) => sum + value.value, 0);
      lastAt = Date.now();
    }
  } finally {
    await service.stop();
  }
  const cpu = cpuSplitBetween(cpuBefore, takeCpuSnapshot([]));
  const seconds = (lastAt - started) / 1000 || 0.001;
  persisted = await countHistory(knex);
  const rate = persisted / seconds;
  await drop();
  return { mode, events: persisted, seconds, rate, complete: persisted >= total, cpu };
}

/** CPU-seconds per 100,000 events of a run, by process: what limits the rate on a small machine. */
function cpuPer100k({ cpu, seconds, events }: RunResult): Record<string, number> | undefined {
  if (!cpu || events === 0) return undefined;
  const per100k = (cores: number) => Math.round(((cores * seconds) / events) * 100_000 * 100) / 100;
  return { consumer: per100k(cpu.loadGenerator), PostgreSQL: per100k(cpu.stack.PostgreSQL), Kafka: per100k(cpu.stack.Kafka), other: per100k(cpu.other), cores: cpu.cores };
}

async function main(): Promise<void> {
  const suffix = randomBytes(3).toString('hex');
  const config = loadConfig(process.env, {
    ORDER_EVENTS_TOPIC: `bench-order-events-${suffix}`,
    DEAD_LETTER_TOPIC: `bench-order-events-${suffix}.dlq`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const orders = options.orders ?? Math.max(1, Math.ceil(options.events / 5));
  const events = buildEvents(options.events, orders);
  await preload(config, events, orders, options.partitions);

  const batch = await run(config, 'batch', options.events, 600);
  console.log(`batch mode: ${batch.events} events in ${batch.seconds.toFixed(1)} s`);
  const perMessage = await run(config, 'per-message', options.events, options.perMessageTimeout);
  console.log(`per-message mode: ${perMessage.events} events in ${perMessage.seconds.toFixed(1)} s${perMessage.complete ? '' : ' (stopped at the time limit)'}`);

  const copy = await runCopy(config, events);
  console.log(`raw COPY: ${copy.events} rows of history (with their orders and items) in ${copy.seconds.toFixed(1)} s`);

  console.table(
    [copy, batch, perMessage].map((result) => ({
      mode: result.mode,
      events: result.events,
      seconds: Number(result.seconds.toFixed(1)),
      'events/s': Math.round(result.rate),
      complete: result.complete,
    })),
  );
  const batchCpu = cpuPer100k(batch);
  if (batchCpu) console.log(`CPU-seconds per 100,000 events in batch mode: ${JSON.stringify(batchCpu)}`);
  console.log(`batch mode is ${(batch.rate / perMessage.rate).toFixed(1)}x the per-message mode and ${((100 * batch.rate) / copy.rate).toFixed(0)}% of the raw COPY (target: 30,000 events/s and 50%)`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
