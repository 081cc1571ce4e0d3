/**
 * `npm run bench:producer`: create-order throughput and latency of the cart service with
 * micro-batching on and off (PRODUCER_BATCHING; off is one Kafka transaction per request), at
 * concurrency 1, 16 and 64, against the local stack. Each mode runs an in-process service over
 * a fresh topic and a fresh PostgreSQL schema, which are dropped afterwards.
 *
 * Besides requests/s and latency it prints how busy the service's event loop was (near 100% =
 * the service is CPU-bound, not waiting for Kafka) and how many events one produce call carried.
 *
 * Options: --duration <seconds per run> (default 5), --concurrency 1,16,64, --only batched|unbatched.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Command } from 'commander';
import { loadConfig } from '../../src/config';
import { CART_DB_POOL_MAX, startCartService, type RunningCartService } from '../../src/cart-service';
import { createDatabase, migrateToLatest } from '../../src/lib/db';

interface Row {
  mode: string;
  concurrency: number;
  'requests/s': number;
  'p50 ms': number;
  'p99 ms': number;
  'non-2xx': number;
  errors: number;
  'events/produce call': number;
  'event loop busy %': number;
}

const MODES = [
  { mode: 'batched', batching: 'on' },
  { mode: 'one transaction per request', batching: 'off' },
] as const;

async function runMode(mode: string, batching: string, concurrencies: number[], durationSeconds: number): Promise<Row[]> {
  const suffix = randomBytes(4).toString('hex');
  const config = loadConfig(process.env, {
    ORDER_EVENTS_TOPIC: `bench-order-events-${suffix}`,
    PRODUCER_BATCHING: batching,
    LOG_LEVEL: 'warn',
  });
  const schema = `bench_${suffix}`;
  const knex = createDatabase({ url: config.DATABASE_URL, schema, poolMax: CART_DB_POOL_MAX });
  await migrateToLatest(knex, schema);
  const service = await startCartService(config, { knex, port: 0 });
  const rows: Row[] = [];
  let before = { sum: 0, count: 0 };
  try {
    for (const concurrency of concurrencies) {
      const loopBefore = performance.eventLoopUtilization();
      const result = await autocannon({
        url: `http://127.0.0.1:${service.port}/api/create-order`,
        connections: concurrency,
        duration: durationSeconds,
        // The load generator runs in its own thread, so it does not compete with the service's event loop.
        workers: 1,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // autocannon replaces [<id>] with a unique id per request, so every request creates (and publishes) a new order.
        idReplacement: true,
        body: JSON.stringify({ orderId: `BENCH-${suffix}-${concurrency}-[<id>]`, numItems: 3 }),
      });
      const loop = performance.eventLoopUtilization(loopBefore);
      const batches = await produceBatchTotals(service);
      rows.push({
        mode,
        concurrency,
        'requests/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'non-2xx': result.non2xx,
        errors: result.errors + result.timeouts,
        'event loop busy %': Math.round(loop.utilization * 100),
        'events/produce call': Number(((batches.sum - before.sum) / Math.max(batches.count - before.count, 1)).toFixed(1)),
      });
      before = batches;
      console.error(`${mode}, concurrency ${concurrency}: ${Math.round(result.requests.average)} requests/s`);
    }
  } finally {
    await service.stop();
    await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await knex.destroy();
  }
  return rows;
}

/** Events and produce calls so far, from the service's batch size histogram. */
async function produceBatchTotals(service: RunningCartService): Promise<{ sum: number; count: number }> {
  const { values } = await service.metrics.produceBatchSize.get();
  const total = (suffix: string) => values.find((value) => value.metricName?.endsWith(suffix))?.value ?? 0;
  return { sum: total('_sum'), count: total('_count') };
}

async function main(): Promise<void> {
  const options = new Command()
    .name('bench:producer')
    .description('Cart service create-order throughput, micro-batching on vs off')
    .option('--duration <seconds>', 'seconds per run', '5')
    .option('--concurrency <list>', 'comma-separated concurrency levels', '1,16,64')
    .option('--only <mode>', 'run one mode only: batched or unbatched')
    .parse()
    .opts<{ duration: string; concurrency: string; only?: string }>();
  const concurrencies = options.concurrency.split(',').map(Number);
  const rows: Row[] = [];
  const modes = MODES.filter(({ batching }) => options.only === undefined || (options.only === 'batched') === (batching === 'on'));
  for (const { mode, batching } of modes) rows.push(...(await runMode(mode, batching, concurrencies, Number(options.duration))));
  console.table(rows);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
