/**
 * `npm run simulate`: drives orders through the whole lifecycle over the cart service's HTTP
 * API — created (pending), confirmed, paid, processing, shipped, delivered, with a share
 * cancelled at a random step before shipping — starting `--rate` orders per second until `--count` orders,
 * and prints progress.
 */
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';

const LIFECYCLE = ['confirmed', 'paid', 'processing', 'shipped', 'delivered'] as const;
/** Steps at which an order may still be cancelled instead (before it ships): instead of confirmed, paid, processing or shipped. */
const CANCELLABLE_STEPS = LIFECYCLE.indexOf('shipped') + 1;

interface Options {
  baseUrl: string;
  count: number;
  rate: number;
  cancelRatio: number;
  stepDelayMs: number;
}

interface Tally {
  started: number;
  delivered: number;
  cancelled: number;
  failed: number;
  requests: number;
}

async function send(options: Options, tally: Tally, method: 'POST' | 'PUT', path: string, body: object): Promise<void> {
  tally.requests += 1;
  const response = await fetch(`${options.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path} ${JSON.stringify(body)} answered ${response.status}: ${await response.text()}`);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function driveOrder(options: Options, tally: Tally, orderId: string): Promise<void> {
  await send(options, tally, 'POST', '/api/create-order', { orderId, numItems: 1 + Math.floor(Math.random() * 5) });
  const cancelAfter = Math.random() < options.cancelRatio ? Math.floor(Math.random() * CANCELLABLE_STEPS) : undefined;
  for (const [step, status] of LIFECYCLE.entries()) {
    await pause(options.stepDelayMs);
    if (step === cancelAfter) {
      await send(options, tally, 'PUT', '/api/update-order', { orderId, status: 'cancelled' });
      tally.cancelled += 1;
      return;
    }
    await send(options, tally, 'PUT', '/api/update-order', { orderId, status });
  }
  tally.delivered += 1;
}

async function main(): Promise<void> {
  const raw = new Command()
    .name('simulate')
    .description('Drive orders through their whole lifecycle through the cart service API')
    .option('--base-url <url>', 'cart service base URL', process.env.CART_SERVICE_URL ?? `http://127.0.0.1:${process.env.CART_SERVICE_PORT ?? '8000'}`)
    .option('--count <n>', 'orders to simulate', '50')
    .option('--rate <n>', 'new orders per second', '5')
    .option('--cancel-ratio <r>', 'share of orders cancelled before shipping (0..1)', '0.2')
    .option('--step-delay-ms <ms>', 'pause between the status changes of one order', '200')
    .parse()
    .opts<Record<'baseUrl' | 'count' | 'rate' | 'cancelRatio' | 'stepDelayMs', string>>();
  const options: Options = {
    baseUrl: raw.baseUrl.replace(/\/$/, ''),
    count: Number(raw.count),
    rate: Number(raw.rate),
    cancelRatio: Number(raw.cancelRatio),
    stepDelayMs: Number(raw.stepDelayMs),
  };
  if (![options.count, options.rate, options.cancelRatio, options.stepDelayMs].every(Number.isFinite) || options.rate <= 0) {
    throw new Error('--count, --rate, --cancel-ratio and --step-delay-ms must be numbers, --rate above 0');
  }

  const run = randomBytes(3).toString('hex');
  const tally: Tally = { started: 0, delivered: 0, cancelled: 0, failed: 0, requests: 0 };
  const progress = setInterval(() => {
    console.log(`started ${tally.started}/${options.count}, delivered ${tally.delivered}, cancelled ${tally.cancelled}, failed ${tally.failed}, requests ${tally.requests}`);
  }, 1_000);
  const orders: Promise<void>[] = [];
  for (let index = 1; index <= options.count; index += 1) {
    const orderId = `SIM-${run}-${String(index).padStart(5, '0')}`;
    tally.started += 1;
    orders.push(
      driveOrder(options, tally, orderId).catch((error: unknown) => {
        tally.failed += 1;
        console.error(`${orderId}: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
    if (index < options.count) await pause(1_000 / options.rate);
  }
  await Promise.all(orders);
  clearInterval(progress);
  console.log(`done: ${options.count} orders, ${tally.delivered} delivered, ${tally.cancelled} cancelled, ${tally.failed} failed, ${tally.requests} requests`);
  if (tally.failed > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
