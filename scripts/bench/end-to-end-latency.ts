import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpRequest, isSuccess } from './http-request';
import { createOrderBody } from './throughput-run';

/** Pause between two order-details polls of one sampled order; with one GET's round trip it bounds the resolution. */
export const POLL_INTERVAL_MS = 2;
/** A sampled order not visible this long after its POST counts as not visible. */
export const VISIBILITY_TIMEOUT_MS = 10_000;
/** Connections to the order service; sampled orders are few and each polls one GET at a time. */
const QUERY_SOCKETS = 16;
/** Probe orders sent before the window: enough that every one of the 3 partitions gets some (a miss is 3 x (2/3)^24 ≈ 0.02%). */
const PROBE_ORDERS = 24;
const PROBE_POLL_MS = 25;
const PROBE_TIMEOUT_MS = 120_000;

export interface EndToEndPlan {
  cartUrl: string;
  orderServiceUrl: string;
  /** Every POST the cart receives in the window, sampled ones included. */
  ordersPerSecond: number;
  samplesPerSecond: number;
  seconds: number;
  /** Most connections to the cart; requests beyond them wait in the client, and that wait is counted. */
  connections: number;
  /** Order ids are `<prefix>-<n>`. */
  orderIdPrefix: string;
}

export interface Percentiles {
  p50: number | undefined;
  p95: number | undefined;
  p99: number | undefined;
  max: number | undefined;
}

export interface EndToEndResult {
  offeredPerSecond: number;
  /** One order in this many is sampled. */
  sampleEvery: number;
  sent: number;
  successes: number;
  /** 2xx answers that were 202. */
  accepted: number;
  non2xx: number;
  errors: number;
  /** Latency of the cart's answers at this rate (all POSTs). */
  postMs: Percentiles;
  /** Sampled orders the cart accepted, and how long each took to appear in order-details. */
  sampled: number;
  visibleMs: Percentiles;
  notVisible: number;
  polls: number;
}

interface Tally {
  sent: number;
  successes: number;
  accepted: number;
  non2xx: number;
  errors: number;
  postMs: number[];
  sampled: number;
  visibleMs: number[];
  notVisible: number;
  polls: number;
}

/**
 * Sends create-order POSTs to the cart at a steady `ordersPerSecond` (open loop: a slow answer
 * does not slow the sending, so queueing shows up in the figures instead of hiding), and for
 * about `samplesPerSecond` of them measures the time from sending the POST to the first 200 of
 * GET /api/order-details on the order service. Not autocannon's overallRate: it lets each
 * connection send its whole per-second quota at full speed at the start of every second, which
 * would measure bursts at peak throughput, not half of it.
 */
export async function measureEndToEnd(plan: EndToEndPlan): Promise<EndToEndResult> {
  const cart = new Agent({ keepAlive: true, maxSockets: plan.connections });
  const queries = new Agent({ keepAlive: true, maxSockets: QUERY_SOCKETS });
  const tally: Tally = { sent: 0, successes: 0, accepted: 0, non2xx: 0, errors: 0, postMs: [], sampled: 0, visibleMs: [], notVisible: 0, polls: 0 };
  const sampleEvery = Math.max(1, Math.round(plan.ordersPerSecond / plan.samplesPerSecond));
  const inFlight: Array<Promise<void>> = [];
  try {
    await sendSteadily(plan.ordersPerSecond, plan.seconds, (index) => {
      inFlight.push(createAndFollow(plan, `${plan.orderIdPrefix}-${index}`, index % sampleEvery === 0, { cart, queries }, tally));
    });
    await Promise.all(inFlight);
  } finally {
    cart.destroy();
    queries.destroy();
  }
  return {
    offeredPerSecond: plan.ordersPerSecond,
    sampleEvery,
    sent: tally.sent,
    successes: tally.successes,
    accepted: tally.accepted,
    non2xx: tally.non2xx,
    errors: tally.errors,
    postMs: percentiles(tally.postMs),
    sampled: tally.sampled,
    visibleMs: percentiles(tally.visibleMs),
    notVisible: tally.notVisible,
    polls: tally.polls,
  };
}

/**
 * Sends probe orders and waits until the order service shows all of them. A fresh consumer group
 * starts at the beginning of the topic, so it first applies every order of the throughput run;
 * a probe becomes visible only after those before it on its partition, so once all probes are
 * visible the consumer is assigned and caught up, and the measured window starts clean.
 */
export async function waitUntilOrderServiceCaughtUp(plan: Pick<EndToEndPlan, 'cartUrl' | 'orderServiceUrl' | 'orderIdPrefix'>): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: QUERY_SOCKETS });
  try {
    await Promise.all(
      Array.from({ length: PROBE_ORDERS }, async (_unused, index) => {
        const orderId = `${plan.orderIdPrefix}-probe-${index}`;
        const status = await httpRequest(`${plan.cartUrl}/api/create-order`, { method: 'POST', json: createOrderBody(orderId), agent });
        if (!isSuccess(status)) throw new Error(`the cart answered ${status} to probe order ${orderId}`);
        const { visibleAfterMs } = await pollUntilVisible(plan.orderServiceUrl, orderId, { agent, since: performance.now(), intervalMs: PROBE_POLL_MS, timeoutMs: PROBE_TIMEOUT_MS });
        if (visibleAfterMs === undefined) throw new Error(`probe order ${orderId} did not appear in the order service within ${PROBE_TIMEOUT_MS / 1000} s`);
      }),
    );
  } finally {
    agent.destroy();
  }
}

/** Calls `send(0)`, `send(1)`, ... evenly at `perSecond` for `seconds`: every ~1 ms timer tick sends what has come due. */
function sendSteadily(perSecond: number, seconds: number, send: (index: number) => void): Promise<void> {
  const startedAt = performance.now();
  const total = Math.floor(perSecond * seconds);
  let sent = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const elapsedSeconds = (performance.now() - startedAt) / 1000;
      const due = Math.min(total, Math.floor(elapsedSeconds * perSecond));
      for (; sent < due; sent += 1) send(sent);
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
}

/** One order: POST it (timed from the moment it is handed to the client), then, when sampled and accepted, poll until visible. */
async function createAndFollow(plan: EndToEndPlan, orderId: string, sampled: boolean, agents: { cart: Agent; queries: Agent }, tally: Tally): Promise<void> {
  tally.sent += 1;
  const since = performance.now();
  let status: number;
  try {
    status = await httpRequest(`${plan.cartUrl}/api/create-order`, { method: 'POST', json: createOrderBody(orderId), agent: agents.cart });
  } catch {
    tally.errors += 1;
    return;
  }
  tally.postMs.push(performance.now() - since);
  if (!isSuccess(status)) {
    tally.non2xx += 1;
    return;
  }
  tally.successes += 1;
  if (status === 202) tally.accepted += 1;
  if (!sampled) return;
  tally.sampled += 1;
  const { visibleAfterMs, polls } = await pollUntilVisible(plan.orderServiceUrl, orderId, { agent: agents.queries, since, intervalMs: POLL_INTERVAL_MS, timeoutMs: VISIBILITY_TIMEOUT_MS });
  tally.polls += polls;
  if (visibleAfterMs === undefined) tally.notVisible += 1;
  else tally.visibleMs.push(visibleAfterMs);
}

interface PollOptions {
  agent: Agent;
  /** performance.now() of the POST; the result counts from it. */
  since: number;
  intervalMs: number;
  timeoutMs: number;
}

/** GETs order-details until it answers 200 (anything else, a 404 or a network error, means "not yet"), or the timeout passes. */
async function pollUntilVisible(orderServiceUrl: string, orderId: string, { agent, since, intervalMs, timeoutMs }: PollOptions): Promise<{ visibleAfterMs: number | undefined; polls: number }> {
  const url = `${orderServiceUrl}/api/order-details?orderId=${encodeURIComponent(orderId)}`;
  for (let polls = 1; ; polls += 1) {
    const status = await httpRequest(url, { agent }).catch(() => 0);
    const elapsedMs = performance.now() - since;
    if (status === 200) return { visibleAfterMs: elapsedMs, polls };
    if (elapsedMs > timeoutMs) return { visibleAfterMs: undefined, polls };
    await sleep(intervalMs);
  }
}

/** Nearest-rank percentiles; undefined for no values. */
function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (fraction: number) => (sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]);
  return { p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), max: sorted.at(-1) };
}
