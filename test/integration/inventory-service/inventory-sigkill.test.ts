import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { Decimal } from '../../../src/domain';
import { INVENTORY_DATABASE } from '../../../src/inventory-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { freeLoopbackPort } from '../../helpers/ports';
import { waitFor } from '../../helpers/wait-for';
import { createEventProducer, orderCreated, statusUpdated, type EventInput } from '../order-service/order-service-fixtures';
import { watchInventoryEvents } from './inventory-fixtures';
import { spawnService } from '../../helpers/service-process';

const ORDERS = 400;
const UNITS = 150;

/**
 * The inventory service as users run it (src/inventory-service/main.ts), killed with SIGKILL
 * while it works through a stream of orders that compete for the same units, then restarted:
 * whatever it had decided, answered or committed when it died, every order is decided once.
 */
describe('inventory service killed with SIGKILL mid-batch and restarted', function () {
  this.timeout(240_000);
  let config: Config;
  let db: TestDatabase;
  const children: ChildProcess[] = [];

  function startChild(port: number): ChildProcess {
    const child = spawnService('inventory-service', config, {
      // The child works in the test's own schema, dropped at the end like any other.
      INVENTORY_DB_SCHEMA: db.schema,
      ORDER_EVENTS_TOPIC: config.ORDER_EVENTS_TOPIC,
      INVENTORY_EVENTS_TOPIC: config.INVENTORY_EVENTS_TOPIC,
      INVENTORY_DEAD_LETTER_TOPIC: config.INVENTORY_DEAD_LETTER_TOPIC,
      INVENTORY_CONSUMER_GROUP_ID: config.INVENTORY_CONSUMER_GROUP_ID,
      INVENTORY_SERVICE_PORT: String(port),
      LOG_LEVEL: 'error',
    });
    children.push(child);
    return child;
  }

  const count = async (sql: string): Promise<number> => Number(((await db.knex.raw(sql)) as { rows: Array<{ n: string }> }).rows[0]?.n);

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(INVENTORY_DATABASE, config);
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await db?.destroy();
  });

  it(`decides each of ${ORDERS} orders for ${UNITS} units once: exactly ${UNITS} reserved, every cancel released once, one answer id per decision`, async () => {
    await db.knex('stock').insert({ item_id: 'KILL-ITEM', available: UNITS });
    const producer = await createEventProducer(config);
    const answers = await watchInventoryEvents(config);
    try {
      // Each order takes 1 unit; every fifth is cancelled right after, giving its unit back if it had one.
      const events: EventInput[] = [];
      for (let index = 0; index < ORDERS; index += 1) {
        const orderId = `KILL-${index}`;
        events.push(orderCreated(orderId, { items: [{ itemId: 'KILL-ITEM', quantity: 1, price: new Decimal('1.00') }] }));
        if (index % 5 === 0) events.push(statusUpdated(orderId, 'cancelled', 'pending'));
      }
      const chunks = Array.from({ length: 4 }, (_, index) => events.slice((index * events.length) / 4, ((index + 1) * events.length) / 4));
      const victim = startChild(await freeLoopbackPort());
      await producer.send(chunks[0]!);
      await waitFor(async () => (await count('SELECT count(*) AS n FROM answers')) > 0, { timeoutMs: 60_000, what: 'the child to decide some orders' });
      // A fresh chunk lands, then the kill: the child is surely in the middle of its work.
      await producer.send(chunks[1]!);
      await waitFor(async () => (await count('SELECT count(*) AS n FROM answers')) > chunks[0]!.length / 2, { timeoutMs: 60_000, what: 'more decisions' });
      const exited = new Promise((resolve) => victim.once('exit', resolve));
      victim.kill('SIGKILL');
      await exited;
      const decidedAtKill = await count('SELECT count(*) AS n FROM answers');
      expect(decidedAtKill, 'decided when killed').to.be.greaterThan(0).and.lessThan(events.length);

      await producer.send(chunks[2]!);
      await producer.send(chunks[3]!);
      const survivor = startChild(await freeLoopbackPort());
      const cancels = events.length - ORDERS;
      await waitFor(async () => (await count('SELECT count(*) AS n FROM reservations')) === ORDERS, { timeoutMs: 120_000, what: 'every order decided after the restart' });

      // Orders compete in order: a cancel frees its unit for a later order, so reserved + released counts every unit ever held.
      const held = await count("SELECT count(*) AS n FROM reservations WHERE state IN ('reserved', 'released')");
      const stillReserved = await count("SELECT count(*) AS n FROM reservations WHERE state = 'reserved'");
      const stock = (await db.knex('stock').where({ item_id: 'KILL-ITEM' }).first()) as { available: number; reserved: number };
      expect(stock.reserved, 'units held = reservations still held').to.equal(stillReserved);
      expect(stock.available + stock.reserved, 'no unit created or lost').to.equal(UNITS);
      expect(stillReserved, 'never oversold').to.be.at.most(UNITS);
      expect(held).to.be.greaterThan(stillReserved);

      // Every decision has one answer, sent at least once and always under the same event id.
      const decisions = await count('SELECT count(*) AS n FROM answers');
      expect(decisions, 'one answer per order plus one per cancel of a held reservation').to.equal(ORDERS + (await count("SELECT count(*) AS n FROM reservations WHERE state = 'released'")));
      await waitFor(() => new Set(answers.seen.map((answer) => answer.event.eventId)).size === decisions, { timeoutMs: 60_000, what: 'every answer on the topic' });
      const idsPerCause = new Map<string, Set<string>>();
      for (const answer of answers.seen) {
        const ids = idsPerCause.get(answer.event.causationEventId) ?? new Set<string>();
        ids.add(answer.event.eventId);
        idsPerCause.set(answer.event.causationEventId, ids);
      }
      expect([...idsPerCause.values()].filter((ids) => ids.size > 1), 'an event answered twice under different ids').to.deep.equal([]);
      console.log(`      ${decidedAtKill} decisions before the kill; ${stillReserved} reserved, ${held - stillReserved} released of ${cancels} cancels; ${answers.seen.length - decisions} answers sent again`);

      const stopped = new Promise<number | null>((resolve) => survivor.once('exit', resolve));
      survivor.kill('SIGTERM');
      expect(await stopped).to.equal(0);
    } finally {
      await answers.stop();
      await producer.close();
    }
  });
});
