import autocannon from 'autocannon';

/** The short create-order form every mode receives: a new order of 3 generated items. */
export function createOrderBody(orderId: string): string {
  return JSON.stringify({ orderId, numItems: 3 });
}

/** A closed-loop create-order load: `connections` clients, each sending its next request when the last one is answered. */
export interface ThroughputLoad {
  url: string;
  /** JSON body; every `[<id>]` in it becomes a new unique id per request (autocannon's idReplacement). */
  body: string;
  connections: number;
}

export interface ThroughputResult {
  /** 2xx answers per second: a server that answers errors fast must not look fast. */
  successesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  successes: number;
  /** 2xx answers that were 202 (committed, publication pending) rather than 201. */
  accepted: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  seconds: number;
}

/** Load whose results are thrown away: lets JIT, connection pools and caches settle first. */
export async function warmUp(load: ThroughputLoad, seconds: number): Promise<void> {
  if (seconds > 0) await fire(load, seconds);
}

/** The measured run: throughput of 2xx answers and latency percentiles of all answers. */
export async function measureThroughput(load: ThroughputLoad, seconds: number): Promise<ThroughputResult> {
  const result = await fire(load, seconds);
  return {
    successesPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    successes: result['2xx'],
    accepted: result.statusCodeStats?.['202']?.count ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}

function fire({ url, body, connections }: ThroughputLoad, seconds: number): Promise<autocannon.Result> {
  // In this process's main thread: the servers run in their own processes, and the CPU this
  // costs is measured and reported beside the figures (see cpu-usage.ts).
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    idReplacement: true,
    connections,
    duration: seconds,
  });
}
