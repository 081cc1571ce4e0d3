import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';

/** The parts of kafkajs's (untyped, internal) per-connection request queue this test drives. */
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  checkPendingRequests(): void;
  sendSocketRequest(request: unknown): void;
  destroy(): void;
}

type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module without types: the class patches/kafkajs+2.2.4.patch mends
const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;

const silentLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function newQueue(): RequestQueue {
  return new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 'test', broker: 'localhost:9092', logger: silentLogger });
}

/** How often the queue checks for pending requests in `ms`, counting every check after the first call. */
async function checksWithin(queue: RequestQueue, ms: number): Promise<number> {
  const check = queue.checkPendingRequests.bind(queue);
  let checks = 0;
  queue.checkPendingRequests = () => {
    checks += 1;
    check();
  };
  queue.checkPendingRequests();
  await sleep(ms);
  return checks - 1;
}

// Every kafkajs connection has one of these queues; unpatched, each spun a 1 ms timer loop for
// as long as it lived (kafkajs issue #1556), a constant CPU cost in every service.
describe('kafkajs request queue (patched by patch-package)', () => {
  it('schedules no check while nothing waits and nothing is throttled', async () => {
    const queue = newQueue();
    try {
      expect(await checksWithin(queue, 50)).to.equal(0);
    } finally {
      queue.destroy();
    }
  });

  it('still sends a request held by a throttle once the throttle ends', async () => {
    const queue = newQueue();
    const sent: unknown[] = [];
    queue.sendSocketRequest = (request) => sent.push(request);
    try {
      const held = { pendingDuration: 0 };
      queue.throttledUntil = Date.now() + 20;
      queue.pending.push(held);
      queue.checkPendingRequests();
      expect(sent, 'held while throttled').to.have.length(0);
      await sleep(80);
      expect(sent).to.deep.equal([held]);
    } finally {
      queue.destroy();
    }
  });
});
