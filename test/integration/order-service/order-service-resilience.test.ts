import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import type { Config } from '../../../src/config';
import type { Knex } from '../../../src/lib/db';
import { startOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, countAppliedEvents, createEventProducer, lifecycleEvents, snapshot } from './order-service-fixtures';
import { spawnService } from '../../helpers/service-process';

/** After every event of `orders` lifecycles is applied, the database holds exactly them: delivered, once each. */
async function expectExactly(knex: Knex, prefix: string, orders: number): Promise<void> {
  const state = await snapshot(knex);
  const ours = state.orders.filter((order) => order.order_id?.startsWith(`${prefix}-`));
  expect(ours).to.have.length(orders);
  expect(ours.every((order) => order.status === 'delivered' && order.total_amount === '10.25' && order.shipping_cost === '0.21')).to.equal(true);
  expect(state.items).to.equal(orders * 2);
  expect(state.events).to.have.length(orders * 5);
  expect(state.events.every((event) => event.outcome === 'applied')).to.equal(true);
  expect(state.pending).to.equal(0);
}

describe('order service resilience (real stack)', function () {
  this.timeout(180_000);

  describe('two instances in one group, one stopped mid-stream', () => {
    let config: Config;
    let db: TestDatabase;

    before(async () => {
      config = testConfig();
      db = await createTestDatabase(ORDER_DATABASE, config, 20);
    });
    after(async () => {
      await db?.destroy();
    });

    it('loses and duplicates nothing across the rebalance', async () => {
      const producer = await createEventProducer(config);
      const first = await startOrderService(config, { ...FAST, knex: db.knex });
      const second = await startOrderService(config, { ...FAST, knex: db.knex });
      try {
        const orders = 600;
        const events = lifecycleEvents('REB', orders);
        const half = Math.floor(events.length / 2);
        await producer.send(events.slice(0, half));
        await waitFor(async () => (await countAppliedEvents(db.knex)) > 0, { what: 'both instances to start applying' });
        await first.stop();
        await producer.send(events.slice(half));
        await waitFor(async () => (await countAppliedEvents(db.knex)) === events.length, { timeoutMs: 90_000, what: 'every event applied' });
        await expectExactly(db.knex, 'REB', orders);
      } finally {
        await first.stop();
        await second.stop();
        await producer.close();
      }
    });
  });

  describe('the consumer process killed with SIGKILL mid-batch', () => {
    let config: Config;
    let db: TestDatabase;
    const children: ChildProcess[] = [];

    function startChild(): ChildProcess {
      const child = spawnService('order-service', config, {
        // The child works in the test's own schema.
        ORDER_DB_SCHEMA: db.schema,
        ORDER_EVENTS_TOPIC: config.ORDER_EVENTS_TOPIC,
        DEAD_LETTER_TOPIC: config.DEAD_LETTER_TOPIC,
        CONSUMER_GROUP_ID: config.CONSUMER_GROUP_ID,
        INVENTORY_EVENTS_TOPIC: config.INVENTORY_EVENTS_TOPIC,
        ORDER_SERVICE_PORT: String(20_000 + Math.floor(Math.random() * 20_000)),
        LOG_LEVEL: 'error',
      });
      children.push(child);
      return child;
    }

    before(async () => {
      config = testConfig();
      db = await createTestDatabase(ORDER_DATABASE, config);
    });
    after(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await db?.destroy();
    });

    it('after a restart the database matches what was produced, exactly', async () => {
      const producer = await createEventProducer(config);
      try {
        const orders = 3_000;
        const events = lifecycleEvents('KILL', orders);
        const chunks = Array.from({ length: Math.ceil(events.length / 1_000) }, (_, index) => events.slice(index * 1_000, (index + 1) * 1_000));
        const victim = startChild();
        // Feed the child a chunk at a time, each once it has applied more of the last, and kill it
        // right after a fresh chunk lands: it is then surely in the middle of its work.
        let sent = 0;
        while (sent < 5) {
          const before = await countAppliedEvents(db.knex);
          await producer.send(chunks[sent]!);
          sent += 1;
          if (sent < 5) await waitFor(async () => (await countAppliedEvents(db.knex)) > before, { timeoutMs: 60_000, what: `the child to apply chunk ${sent}` });
        }
        const exited = new Promise((resolve) => victim.once('exit', resolve));
        victim.kill('SIGKILL');
        await exited;
        const appliedAtKill = await countAppliedEvents(db.knex);
        expect(appliedAtKill, 'applied when killed').to.be.greaterThan(0).and.lessThan(events.length);

        for (const chunk of chunks.slice(sent)) await producer.send(chunk);
        const survivor = startChild();
        await waitFor(async () => (await countAppliedEvents(db.knex)) === events.length, { timeoutMs: 120_000, what: 'every event applied after restart' });
        await expectExactly(db.knex, 'KILL', orders);
        const stopped = new Promise<number | null>((resolve) => survivor.once('exit', resolve));
        survivor.kill('SIGTERM');
        expect(await stopped).to.equal(0);
      } finally {
        await producer.close();
      }
    });
  });
});
