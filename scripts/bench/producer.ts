/**
 * `npm run bench:producer`: create-order throughput of three servers side by side, at the same
 * concurrency, with the load generated in this process and each server in its own process,
 * started one at a time (the machine has 2 cores):
 *
 *   ceiling  a bare Express 5 app reading the same body with the project's JSON parser (bare-express-server.ts)
 *   seeds    the seeds' way: validate, generate, encode, await its own idempotent acks=all send (seeds-way-server.ts)
 *   cart     the cart service as users start it (src/cart-service/main.ts), on a fresh database and topic
 *
 * then, with the order service started beside the cart, the end-to-end latency (POST -> visible
 * in order-details) at half the cart's measured peak. Prints the SPEC's targets with met / NOT MET.
 * Progress goes to stderr, results to stdout; what the run created on the stack is removed at the end.
 *
 * Options: --duration <s> (10), --warmup <s> (2), --concurrency <n> (64),
 * --only ceiling|seeds|cart (repeatable or a comma list), --e2e-duration <s> (10), --no-e2e,
 * --cpu-profile <dir> (each server writes a V8 CPU profile there as it stops; open it in Chrome DevTools).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from '../../src/config';
import { deadLetterIndexGroup } from '../../src/order-service/dead-letter-index';
import { freeLoopbackPort } from '../../test/helpers/ports';
import { createBenchDatabase, deleteKafkaLeftovers, deleteRegistrySubjects } from './bench-resources';
import { createCleanupStack, type CleanupStack } from './cleanup-stack';
import { cpuSplitBetween, takeCpuSnapshot } from './cpu-usage';
import { measureEndToEnd, waitUntilOrderServiceCaughtUp } from './end-to-end-latency';
import { printReport, type EndToEndOutcome, type ModeName, type ModeOutcome } from './report';
import { ServerFailure, startServer, stopAllServers, whileServersRun, type ServerProcess, type ServerSpec } from './server-process';
import { createOrderBody, measureThroughput, warmUp } from './throughput-run';

interface BenchOptions {
  duration: number;
  warmup: number;
  concurrency: number;
  only: ModeName[];
  e2eDuration: number;
  e2e: boolean;
  cpuProfile?: string;
}

interface BenchContext {
  options: BenchOptions;
  /** The stack's endpoints, from the same environment the services read. */
  stack: Config;
  /** Names everything this run creates: ids, topics, database, consumer group. */
  suffix: string;
  cleanup: CleanupStack;
  /** Filled as each measurement ends, so a later failure does not lose the earlier figures. */
  results: { modes: ModeOutcome[]; endToEnd?: EndToEndOutcome };
}

/** Modes in the order they run: cheapest first, so a broken cart still leaves the two references measured. */
const MODE_NAMES: readonly ModeName[] = ['ceiling', 'seeds', 'cart'];

const MODE_LABELS: Record<ModeName, string> = {
  ceiling: 'ceiling (bare Express)',
  seeds: "seeds' way",
  cart: 'cart service',
};

const MODE_RUNNERS: Record<ModeName, (context: BenchContext) => Promise<void>> = {
  ceiling: benchCeiling,
  seeds: benchSeedsWay,
  cart: benchCart,
};

/** Orders per second the end-to-end sampler follows into the order service. */
const SAMPLED_ORDERS_PER_SECOND = 20;

/** After Ctrl-C the run ends by itself once its servers are gone; should it not, this long after it is cleaned up and left. */
const INTERRUPT_GRACE_MS = 30_000;

/** Set by the first Ctrl-C (or SIGTERM): no server starts after it. */
let interruptedBy: NodeJS.Signals | undefined;

const startedAt = Date.now();

function progress(line: string): void {
  console.error(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)} s] ${line}`);
}

async function benchCeiling(context: BenchContext): Promise<void> {
  const port = await freeLoopbackPort();
  const spec = { name: 'ceiling server', entry: 'scripts/bench/bare-express-server.ts', port, env: { BENCH_SERVER_PORT: String(port) } };
  await withServer(context, spec, (server) => measureMode(context, 'ceiling', server));
}

async function benchSeedsWay(context: BenchContext): Promise<void> {
  const topic = `bench-seeds-order-events-${context.suffix}`;
  deferKafkaCleanup(context, [topic], []);
  const port = await freeLoopbackPort();
  const env = { BENCH_SERVER_PORT: String(port), ORDER_EVENTS_TOPIC: topic, LOG_LEVEL: 'warn' };
  await withServer(context, { name: "seeds' way server", entry: 'scripts/bench/seeds-way-server.ts', port, env }, (server) => measureMode(context, 'seeds', server));
}

/** The cart as users start it, configured by environment only; then, still running, the end-to-end measurement. */
async function benchCart(context: BenchContext): Promise<void> {
  const { suffix, stack, cleanup } = context;
  const topic = `bench-order-events-${suffix}`;
  const consumerGroup = `bench-order-service-${suffix}`;
  const databaseName = `orderflow_bench_${suffix}`;
  const database = await createBenchDatabase(stack, databaseName);
  cleanup.defer(`drop database ${databaseName}`, database.drop);
  // The dead-letter topic too (the order service would otherwise create or share the real one), and
  // the group the order service indexes it in.
  deferKafkaCleanup(context, [topic, `${topic}.dlq`], [consumerGroup, deadLetterIndexGroup(consumerGroup)]);
  const shared = { ORDER_EVENTS_TOPIC: topic, DEAD_LETTER_TOPIC: `${topic}.dlq`, DATABASE_URL: database.url, LOG_LEVEL: 'warn' };
  const port = await freeLoopbackPort();
  const spec = { name: 'cart service', entry: 'src/cart-service/main.ts', port, env: { ...shared, CART_SERVICE_PORT: String(port) } };
  await withServer(context, spec, async (cart) => {
    const { throughput } = await measureMode(context, 'cart', cart);
    if (!context.options.e2e) return;
    if (throughput.successes === 0) {
      progress('end to end: skipped, the cart answered no 2xx');
      return;
    }
    await benchEndToEnd(context, cart, { ...shared, CONSUMER_GROUP_ID: consumerGroup }, throughput.successesPerSecond);
  });
}

/** Starts the order service beside the running cart and drives the cart at half its peak, following a sample of the orders. */
async function benchEndToEnd(context: BenchContext, cart: ServerProcess, env: Record<string, string>, peakPerSecond: number): Promise<void> {
  const seconds = context.options.e2eDuration;
  const port = await freeLoopbackPort();
  const spec = { name: 'order service', entry: 'src/order-service/main.ts', port, env: { ...env, ORDER_SERVICE_PORT: String(port) } };
  await withServer(context, spec, async (orderService) => {
    const plan = {
      cartUrl: cart.url(''),
      orderServiceUrl: orderService.url(''),
      ordersPerSecond: peakPerSecond / 2,
      samplesPerSecond: SAMPLED_ORDERS_PER_SECOND,
      seconds,
      connections: context.options.concurrency,
      orderIdPrefix: `BENCH-${context.suffix}-e2e`,
    };
    const servers = [cart, orderService];
    progress('order service: catching up with the orders of the throughput run (probe orders on every partition)');
    await whileServersRun(servers, waitUntilOrderServiceCaughtUp(plan));
    progress(`end to end: ${Math.round(plan.ordersPerSecond)} orders/s for ${seconds} s, following ~${SAMPLED_ORDERS_PER_SECOND}/s into the order service`);
    const before = takeCpuSnapshot(servers);
    const result = await whileServersRun(servers, measureEndToEnd(plan));
    const cpu = cpuSplitBetween(before, takeCpuSnapshot(servers));
    progress(`end to end: ${result.sampled} sampled orders, p99 ${result.visibleMs.p99?.toFixed(1) ?? 'n/a'} ms`);
    context.results.endToEnd = { result, peakPerSecond, seconds, cpu };
  });
}

/** Warm-up, then the measured run, with the CPU split of the measured part. */
async function measureMode(context: BenchContext, mode: ModeName, server: ServerProcess): Promise<ModeOutcome> {
  const { warmup, duration, concurrency } = context.options;
  const label = MODE_LABELS[mode];
  const load = { url: server.url('/api/create-order'), body: throughputBody(context.suffix), connections: concurrency };
  progress(`${label}: warming up for ${warmup} s`);
  await whileServersRun([server], warmUp(load, warmup));
  progress(`${label}: measuring for ${duration} s at concurrency ${concurrency}`);
  const before = takeCpuSnapshot([server]);
  const throughput = await whileServersRun([server], measureThroughput(load, duration));
  const cpu = cpuSplitBetween(before, takeCpuSnapshot([server]));
  progress(`${label}: ${Math.round(throughput.successesPerSecond)} requests/s (2xx), p99 ${throughput.p99Ms} ms, ${throughput.non2xx} non-2xx, ${throughput.errors} errors`);
  const outcome = { mode, label, throughput, cpu };
  context.results.modes.push(outcome);
  return outcome;
}

/** Starts a server, runs `work` against it, and stops it whatever happens. */
async function withServer<T>(context: BenchContext, spec: ServerSpec, work: (server: ServerProcess) => Promise<T>): Promise<T> {
  assertNotInterrupted();
  progress(`${spec.name}: starting ${spec.entry} on port ${spec.port}`);
  const starting = Date.now();
  const cpuProfileDir = context.options.cpuProfile === undefined ? undefined : resolve(context.options.cpuProfile);
  const server = await startServer({ ...spec, cpuProfileDir });
  if (interruptedBy) await server.stop();
  assertNotInterrupted();
  progress(`${spec.name}: answering after ${((Date.now() - starting) / 1000).toFixed(1)} s (pid ${server.pid})`);
  try {
    return await work(server);
  } finally {
    progress(`${spec.name}: stopping`);
    await server.stop();
    const lines = server.logLineCount();
    if (lines > 0) progress(`${spec.name} logged ${lines} lines at LOG_LEVEL=warn; the last: ${server.logTail().at(-1) ?? ''}`);
  }
}

/** autocannon turns `[<id>]` into a new unique id per request, so every request creates a new order. */
function throughputBody(suffix: string): string {
  return createOrderBody(`BENCH-${suffix}-[<id>]`);
}

function deferKafkaCleanup(context: BenchContext, topics: string[], groups: string[]): void {
  const { stack, cleanup } = context;
  cleanup.defer(`delete the registry subjects of ${topics.join(', ')}`, () => deleteRegistrySubjects(stack.SCHEMA_REGISTRY_URL, topics));
  cleanup.defer(`delete topics ${topics.join(', ')}${groups.length > 0 ? ` and consumer group ${groups.join(', ')}` : ''}`, () =>
    deleteKafkaLeftovers(stack, { topics, groups }),
  );
}

function assertNotInterrupted(): void {
  if (interruptedBy) throw new Error(`interrupted by ${interruptedBy}`);
}

function exitCodeOf(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/**
 * Ctrl-C (or SIGTERM) stops the servers; the run then fails fast (each measurement ends when its
 * server exits), prints what it measured so far and cleans up. A second one exits at once (the
 * servers are killed on exit).
 */
function stopOnInterrupt(cleanup: CleanupStack): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruptedBy) process.exit(exitCodeOf(signal));
    interruptedBy = signal;
    progress(`${signal}: stopping the servers, then the results so far and the cleanup (${signal} again to quit at once)`);
    void stopAllServers();
    const leave = () => void cleanup.run().finally(() => process.exit(exitCodeOf(signal)));
    setTimeout(leave, INTERRUPT_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a number > 0');
  return parsed;
}

function nonNegativeNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError('expected a number >= 0');
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return parsed;
}

function isModeName(value: string): value is ModeName {
  return (MODE_NAMES as readonly string[]).includes(value);
}

function addModes(value: string, previous: ModeName[]): ModeName[] {
  const modes = value.split(',').map((mode) => mode.trim()).filter((mode) => mode !== '');
  const unknown = modes.filter((mode) => !isModeName(mode));
  if (unknown.length > 0) throw new InvalidArgumentError(`expected ${MODE_NAMES.join(', ')}; got ${unknown.join(', ')}`);
  return [...previous, ...modes.filter(isModeName)];
}

function parseOptions(): BenchOptions {
  return new Command()
    .name('bench:producer')
    .description("Create-order throughput side by side — bare Express (ceiling), the seeds' way, the cart service — then end-to-end latency at half the cart's peak")
    .option('--duration <seconds>', 'measured seconds per mode', positiveNumber, 10)
    .option('--warmup <seconds>', 'seconds of load before each measurement, not counted (0: none)', nonNegativeNumber, 2)
    .option('--concurrency <connections>', 'connections kept busy by the load generator', positiveInteger, 64)
    .option('--only <modes>', 'run only these modes: ceiling, seeds, cart (repeatable or a comma list)', addModes, [])
    .option('--e2e-duration <seconds>', 'seconds of the end-to-end measurement', positiveNumber, 10)
    .option('--no-e2e', 'skip the end-to-end measurement')
    .option('--cpu-profile <dir>', 'each server writes a V8 CPU profile (.cpuprofile) into this folder as it stops')
    .parse()
    .opts<BenchOptions>();
}

async function main(): Promise<number> {
  const options = parseOptions();
  const context: BenchContext = {
    options,
    stack: loadConfig(),
    suffix: randomBytes(4).toString('hex'),
    cleanup: createCleanupStack(progress),
    results: { modes: [] },
  };
  stopOnInterrupt(context.cleanup);
  const selected = MODE_NAMES.filter((mode) => options.only.length === 0 || options.only.includes(mode));
  progress(`run ${context.suffix}: ${selected.join(', ')}${options.e2e && selected.includes('cart') ? ', then end to end' : ''}`);
  let failure: unknown;
  try {
    for (const mode of selected) await MODE_RUNNERS[mode](context);
  } catch (error) {
    failure = error;
  } finally {
    await stopAllServers();
    await context.cleanup.run();
  }
  const { modes, endToEnd } = context.results;
  printReport({ concurrency: options.concurrency, durationSeconds: options.duration, warmupSeconds: options.warmup, body: throughputBody(context.suffix) }, modes, endToEnd);
  if (interruptedBy) {
    console.error(`\n✗ bench:producer interrupted by ${interruptedBy}`);
    return exitCodeOf(interruptedBy);
  }
  if (failure === undefined) return 0;
  console.error(`\n✗ bench:producer failed: ${failure instanceof Error ? failure.message : String(failure)}`);
  if (!(failure instanceof ServerFailure)) console.error('  (is the local stack up? npx tsx scripts/stack/cli.ts status)');
  return 1;
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
