import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, countAppliedEvents, createEventProducer, lifecycleEvents, snapshot } from './order-service-fixtures';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');

/** Stops or starts the stack's PostgreSQL (shared with other tests: kept short, always restarted). */
async function postgres(command: 'up' | 'down'): Promise<void> {
  await run(process.execPath, ['--import', 'tsx', join('scripts', 'stack', 'cli.ts'), command, 'postgres'], { cwd: ROOT, timeout: 120_000 });
}

// Last in this folder on purpose: it stops the shared PostgreSQL for a few seconds.
describe('order service with PostgreSQL stopped and restarted under load', function () {
  this.timeout(240_000);
  let config: Config;
  let db: TestDatabase;
  let service: RunningOrderService | undefined;

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
  });

  after(async () => {
    await postgres('up');
    await service?.stop();
    await db?.destroy();
  });

  it('retries with backoff, resumes by itself, and loses or doubles nothing', async () => {
    const producer = await createEventProducer(config);
    try {
      service = await startOrderService(config, { ...FAST, knex: db.knex });
      const orders = 2_000;
      const events = lifecycleEvents('PGR', orders);
      const third = Math.floor(events.length / 3);
      await producer.send(events.slice(0, third));
      await waitFor(async () => (await countAppliedEvents(db.knex)) > 0, { what: 'events to be applied before the outage' });
      await postgres('down');
      // Produced while the database is down: the consumer must retry, not skip them.
      await producer.send(events.slice(third));
      const ready = await fetch(`http://127.0.0.1:${service.port}/ready`);
      expect(ready.status).to.equal(503);
      await postgres('up');
      await waitFor(async () => (await countAppliedEvents(db.knex)) === events.length, { timeoutMs: 120_000, what: 'every event applied after the restart' });
      const state = await snapshot(db.knex);
      expect(state.orders).to.have.length(orders);
      expect(state.orders.every((order) => order.status === 'delivered')).to.equal(true);
      expect(state.events).to.have.length(events.length);
      expect(state.items).to.equal(orders * 2);
      expect(state.pending).to.equal(0);
    } finally {
      await producer.close();
    }
  });
});
