import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService } from '../../../src/order-service';
import { freeLoopbackPort } from '../../helpers/ports';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST } from '../order-service/order-service-fixtures';
import { CART_DATABASE } from '../../../src/cart-service';
import { ORDER_DATABASE } from '../../../src/order-service';
import { spawnService } from '../../helpers/service-process';

/** The statuses each order of the load is driven through, one request each. */
const LIFECYCLE = ['pending', 'confirmed', 'paid', 'shipped'] as const;
type Status = (typeof LIFECYCLE)[number];
/** Clients sending at once, each driving one order at a time. */
const WORKERS = 16;
/** Answers to wait for before the kill, and again after the restart before the load stops. */
const ANSWERS_PER_PHASE = 150;

/** How one write ended, as the client saw it. */
type Outcome =
  | { kind: 'answered'; code: number; status?: string; totalAmount?: string }
  /** The connection broke with the request sent: it may or may not have committed. */
  | { kind: 'lost'; error: string }
  /** Refused at connect: the request never reached a server, so nothing was written. */
  | { kind: 'refused' };

interface Attempt {
  orderId: string;
  status: Status;
  /** Which cart process it went to: 1 (killed) or 2 (restarted). */
  generation: number;
  outcome: Outcome;
}

interface Envelope {
  success: boolean;
  data?: { status?: string; totalAmount?: string };
}

/** Every order the load touched: what the client knows of it. */
interface OrderHistory {
  orderId: string;
  attempts: Attempt[];
}

const isSuccess = (outcome: Outcome): boolean => outcome.kind === 'answered' && [200, 201, 202].includes(outcome.code);

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  return String(cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : error));
}

describe('cart service killed with SIGKILL mid-load (a real child process)', function () {
  this.timeout(90_000);
  let config: Config;
  let cartDb: TestDatabase;
  let orderDb: TestDatabase;
  let orderService: RunningOrderService | undefined;
  const children: ChildProcess[] = [];
  const childOutput: string[] = [];
  let port: number;

  function startCart(): ChildProcess {
    const child = spawnService(
      'cart-service',
      config,
      // The service works in the test's own fresh schema, dropped at the end like any other.
      { CART_DB_SCHEMA: cartDb.schema, ORDER_EVENTS_TOPIC: config.ORDER_EVENTS_TOPIC, CART_SERVICE_PORT: String(port), LOG_LEVEL: 'warn' },
      ['ignore', 'pipe', 'pipe'],
    );
    const generation = children.length + 1;
    const keep = (chunk: Buffer) => childOutput.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((line) => `[cart ${generation}] ${line}`));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    children.push(child);
    return child;
  }

  async function cartReadyAsLeader(): Promise<void> {
    await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/ready`);
        const body = (await response.json()) as { data?: { relay?: string } };
        return response.status === 200 && body.data?.relay === 'leader';
      },
      { timeoutMs: 30_000, what: 'the cart process to be ready and lead the outbox relay' },
    );
  }

  before(async () => {
    config = testConfig();
    cartDb = await createTestDatabase(CART_DATABASE, config, 5);
    orderDb = await createTestDatabase(ORDER_DATABASE, config, 10);
    port = await freeLoopbackPort();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(childOutput.slice(-40).join('\n'));
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await orderService?.stop();
    await cartDb?.destroy();
    await orderDb?.destroy();
  });

  it('loses nothing it acknowledged (201/200/202), writes nothing it refused, applies nothing twice, and the consumer catches up after the restart', async () => {
    startCart();
    await cartReadyAsLeader();
    // The cart's relay created the topic at start-up; the order service consumes it into its own schema.
    orderService = await startOrderService(config, { ...FAST, knex: orderDb.knex });

    // The load: workers drive fresh orders through the lifecycle, one request after the other,
    // and give an order up at its first write that is not a success.
    let generation = 1;
    let cartUp: Promise<void> = Promise.resolve();
    let releaseCart: () => void = () => undefined;
    let stopLoad = false;
    let inFlight = 0;
    const attempts: Attempt[] = [];
    const histories: OrderHistory[] = [];

    async function write(orderId: string, status: Status): Promise<Attempt> {
      await cartUp;
      const sentTo = generation;
      const request =
        status === 'pending'
          ? { method: 'POST', path: '/api/create-order', body: { orderId, numItems: 2 } }
          : { method: 'PUT', path: '/api/update-order', body: { orderId, status } };
      inFlight += 1;
      let outcome: Outcome;
      try {
        const response = await fetch(`http://127.0.0.1:${port}${request.path}`, {
          method: request.method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request.body),
        });
        const body = (await response.json()) as Envelope;
        outcome = { kind: 'answered', code: response.status, status: body.data?.status, totalAmount: body.data?.totalAmount };
      } catch (error) {
        const code = errorCode(error);
        outcome = code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'lost', error: code };
      } finally {
        inFlight -= 1;
      }
      const attempt = { orderId, status, generation: sentTo, outcome };
      attempts.push(attempt);
      return attempt;
    }

    async function worker(index: number): Promise<void> {
      for (let serial = 0; !stopLoad; serial += 1) {
        const history: OrderHistory = { orderId: `KILL-${index}-${serial}-${uniqueSuffix()}`, attempts: [] };
        histories.push(history);
        // Each worker's first order stops at a different step, so the workers are out of phase and
        // the kill meets creates and every kind of update in flight, not all workers at one step.
        const steps = serial === 0 ? LIFECYCLE.slice(0, 1 + (index % LIFECYCLE.length)) : LIFECYCLE;
        for (const status of steps) {
          const attempt = await write(history.orderId, status);
          history.attempts.push(attempt);
          if (!isSuccess(attempt.outcome)) break;
        }
      }
    }

    const answeredCount = () => attempts.filter((attempt) => attempt.outcome.kind === 'answered').length;
    const workers = Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));

    // Kill the cart while requests are in flight.
    await waitFor(() => answeredCount() >= ANSWERS_PER_PHASE && inFlight >= WORKERS / 2, { timeoutMs: 30_000, intervalMs: 5, what: `${ANSWERS_PER_PHASE} answers with requests in flight` });
    const victim = children[0]!;
    const exited = new Promise<void>((resolve) => victim.once('exit', () => resolve()));
    // New requests wait for the restart; the ones in flight meet the kill.
    cartUp = new Promise<void>((resolve) => {
      releaseCart = resolve;
    });
    const inFlightAtKill = inFlight;
    victim.kill('SIGKILL');
    await exited;
    expect(victim.signalCode, 'the cart died of SIGKILL').to.equal('SIGKILL');
    const answeredBeforeKill = answeredCount();

    // Restart with the same environment; the load continues once it leads the relay again.
    generation = 2;
    startCart();
    await cartReadyAsLeader();
    const restartedAt = Date.now();
    releaseCart();
    await waitFor(() => answeredCount() >= answeredBeforeKill + ANSWERS_PER_PHASE, { timeoutMs: 30_000, what: `${ANSWERS_PER_PHASE} answers after the restart` });
    stopLoad = true;
    await workers;

    // What the client saw.
    const answered = attempts.filter((attempt) => attempt.outcome.kind === 'answered');
    const codes = (code: number) => answered.filter((attempt) => attempt.outcome.kind === 'answered' && attempt.outcome.code === code).length;
    const lost = attempts.filter((attempt) => attempt.outcome.kind === 'lost');
    const lostSteps = new Set(lost.map((attempt) => attempt.status));
    const refused = attempts.filter((attempt) => attempt.outcome.kind === 'refused');
    console.log(
      `      answered ${answered.length} (201/200: ${codes(201) + codes(200)}, 202: ${codes(202)}, 503: ${codes(503)}); ` +
        `lost at kill ${lost.length} (in flight ${inFlightAtKill}; steps ${[...lostSteps].join('/')}); refused at kill ${refused.length}`,
    );
    const unexpected = answered.filter((attempt) => attempt.outcome.kind === 'answered' && ![200, 201, 202, 503].includes(attempt.outcome.code));
    expect(unexpected, 'answers other than 201/200/202/503').to.deep.equal([]);
    expect(lost.length, `requests in flight at the kill (${inFlightAtKill}) lost their answer`).to.be.greaterThan(0);
    expect(lost.every((attempt) => attempt.generation === 1), 'only requests to the killed process lose their answer').to.equal(true);
    // A request that set off just as the kill landed may find the port closed: refused, so nothing
    // of it was written. None may be refused by the restarted process.
    expect(refused.filter((attempt) => attempt.generation === 2), 'the restarted cart refuses no connection').to.deep.equal([]);
    expect(answered.filter((attempt) => attempt.generation === 2 && isSuccess(attempt.outcome)).length, 'writes succeed after the restart').to.be.greaterThan(0);

    // What the cart committed. An answered success was committed; a 503 wrote nothing. A write
    // whose answer was lost at the kill may or may not have committed: the cart's own record
    // says which, and whatever it committed must reach the order service all the same.
    const cartRows = (await cartDb.knex('cart_orders').select('order_id', 'status')) as Array<{ order_id: string; status: string }>;
    const cartStatus = new Map(cartRows.map((row) => [row.order_id, row.status]));
    const expected = new Map<string, string>();
    let lostButCommitted = 0;
    for (const { orderId, attempts: tried } of histories) {
      const acknowledged = tried.filter((attempt) => isSuccess(attempt.outcome));
      const lastAcknowledged = acknowledged.at(-1)?.status;
      const last = tried.at(-1);
      const committed = cartStatus.get(orderId);
      if (last !== undefined && last.outcome.kind === 'lost') {
        expect([lastAcknowledged, last.status], `${orderId}: the cart holds the last acknowledged status or the one whose answer was lost`).to.include(committed);
        if (committed === last.status) lostButCommitted += 1;
      } else {
        expect(committed, `${orderId}: the cart holds exactly the last acknowledged status (nothing of a 503 written)`).to.equal(lastAcknowledged);
      }
      if (committed !== undefined) expected.set(orderId, committed);
    }
    expect(cartRows.filter((row) => !expected.has(row.order_id)), 'the cart holds no order the load did not write').to.deep.equal([]);

    // What the order service persisted: exactly what the cart committed, within 30 s of the restart.
    const ours = [...expected.keys()];
    const downstream = async () => {
      const rows = (await orderDb.knex('orders').whereIn('order_id', ours).select('order_id', 'status', 'total_amount')) as Array<{ order_id: string; status: string; total_amount: string }>;
      return new Map(rows.map((row) => [row.order_id, row]));
    };
    await waitFor(
      async () => {
        const persisted = await downstream();
        return ours.every((orderId) => persisted.get(orderId)?.status === expected.get(orderId));
      },
      { timeoutMs: Math.max(1_000, 30_000 - (Date.now() - restartedAt)), intervalMs: 200, what: 'every committed order to reach the order service with its last status, within 30 s of the restart' },
    );
    const persisted = await downstream();
    for (const { orderId, attempts: tried } of histories) {
      const acknowledged = tried.filter((attempt) => isSuccess(attempt.outcome));
      if (acknowledged.length === 0) continue;
      const row = persisted.get(orderId);
      const lastAcknowledged = acknowledged.at(-1)!.status;
      const last = tried.at(-1)!;
      const allowed = last.outcome.kind === 'lost' ? [lastAcknowledged, last.status] : [lastAcknowledged];
      expect(allowed, `${orderId}: persisted with its last acknowledged status`).to.include(row?.status);
      const created = acknowledged[0]!.outcome;
      if (created.kind === 'answered' && created.totalAmount !== undefined) expect(row?.total_amount, `${orderId}: total as answered`).to.equal(created.totalAmount);
    }
    const stray = (await orderDb.knex('orders').whereLike('order_id', 'KILL-%').whereNotIn('order_id', ours).pluck('order_id')) as string[];
    expect(stray, 'nothing written for a refused create reaches the order service').to.deep.equal([]);

    // Nothing applied twice: one applied event per committed write of each order, in lifecycle order, none refused.
    const events = (await orderDb.knex('order_events').whereIn('order_id', ours).select('order_id', 'status', 'outcome').orderBy(['order_id', 'occurred_at'])) as Array<{
      order_id: string;
      status: string;
      outcome: string;
    }>;
    expect(events.filter((event) => event.outcome !== 'applied'), 'no event refused').to.deep.equal([]);
    const appliedStatuses = new Map<string, string[]>();
    for (const event of events) appliedStatuses.set(event.order_id, [...(appliedStatuses.get(event.order_id) ?? []), event.status]);
    for (const [orderId, status] of expected) {
      const steps = LIFECYCLE.slice(0, LIFECYCLE.indexOf(status as Status) + 1);
      expect(appliedStatuses.get(orderId), `${orderId}: each committed write applied exactly once`).to.deep.equal(steps);
    }
    const [parked] = (await orderDb.knex('pending_status_updates').count({ count: '*' })) as Array<{ count: string }>;
    expect(Number(parked?.count), 'no status update waits for its order').to.equal(0);
    await waitFor(async () => Number(((await cartDb.knex('cart_outbox').count({ count: '*' })) as Array<{ count: string }>)[0]?.count) === 0, {
      what: 'the outbox to drain',
    });

    const consumed = (await orderService.metrics.eventsConsumed.get()).values;
    const outcomeCount = (outcome: string) => consumed.filter((value) => value.labels.outcome === outcome).reduce((sum, value) => sum + value.value, 0);
    expect(outcomeCount('dead_lettered'), 'nothing dead-lettered').to.equal(0);
    expect(outcomeCount('applied'), 'applied events counted once each').to.equal(events.length);

    // The restarted cart still stops gracefully.
    const survivor = children[1]!;
    const stopped = new Promise<number | null>((resolve) => survivor.once('exit', (code) => resolve(code)));
    survivor.kill('SIGTERM');
    expect(await stopped, 'the restarted cart exits 0 on SIGTERM').to.equal(0);

    console.log(
      `      committed: ${lostButCommitted} of the ${lost.length} writes lost at the kill; orders ${histories.length} (${expected.size} committed); ` +
        `events applied ${events.length}; duplicates seen ${outcomeCount('duplicate')}`,
    );
  });
});
