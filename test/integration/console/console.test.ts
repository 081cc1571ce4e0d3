import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Config } from '../../../src/config';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { launchChromium } from '../../helpers/browser';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { Decimal } from '../../../src/domain';
import { FAST, createEventProducer, orderCreated, orderStatus, refuseOrderByRule, statusUpdated } from '../order-service/order-service-fixtures';

type Producer = Awaited<ReturnType<typeof createEventProducer>>;

/** An order placed now (so the last hour's chart shows it), in `currency`, of `units` of `itemId`. */
function placed(orderId: string, currency = 'EUR', itemId = 'SKU-1', units = 2) {
  return orderCreated(orderId, { orderDate: new Date(), currency, items: [{ itemId, quantity: units, price: new Decimal('5.00') }] });
}

/** Set to a folder to keep a screenshot of each view there (the README's come from this test). */
const SCREENSHOTS_DIR = process.env.CONSOLE_SCREENSHOTS_DIR;

describe('operator console in headless Chromium (real Kafka, registry and PostgreSQL)', function () {
  this.timeout(600_000);
  let config: Config;
  let db: TestDatabase;
  let producer: Producer;
  let service: RunningOrderService;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let liftRule: () => Promise<void>;

  async function screenshot(name: string): Promise<void> {
    if (!SCREENSHOTS_DIR) return;
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
  }

  /** The rows' test ids of a table, in order. */
  async function rowIds(table: string, prefix: string): Promise<string[]> {
    const ids = await page.getByTestId(table).locator(`tbody tr[data-testid^="${prefix}"]`).evaluateAll((rows) => rows.map((row) => row.getAttribute('data-testid') ?? ''));
    return ids.map((id) => id.slice(prefix.length));
  }

  before(async () => {
    browser = await launchChromium();
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    producer = await createEventProducer(config);
    service = await startOrderService(config, { ...FAST, knex: db.knex });

    // Orders in several states, one refused by a database rule (dead-lettered, to be replayed), one not Avro.
    liftRule = await refuseOrderByRule(db.knex, 'CON-REPLAY');
    await producer.send([placed('CON-1'), placed('CON-2', 'USD', 'SKU-2', 5), placed('CON-3', 'GBP', 'SKU-3', 1), statusUpdated('CON-2', 'confirmed', 'pending'), statusUpdated('CON-3', 'cancelled', 'pending')]);
    await producer.sendUnderOneKey('CON-REPLAY', [placed('CON-REPLAY', 'EUR', 'SKU-4', 3), placed('CON-BESIDE', 'USD', 'SKU-1', 1)]);
    await producer.sendRaw('CON-NOT-AVRO', Buffer.from('{"orderId":"CON-NOT-AVRO"}'));
    await waitFor(async () => (await orderStatus(db.knex, 'CON-2')) === 'confirmed' && (await orderStatus(db.knex, 'CON-3')) === 'cancelled' && (await orderStatus(db.knex, 'CON-BESIDE')) === 'pending', { what: 'the orders applied' });
    await waitFor(async () => Number(((await db.knex('dead_letters').count({ count: '*' })) as Array<{ count: string }>)[0]?.count) === 2, { what: 'two dead letters indexed' });

    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${service.port}/console`);
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await producer?.close();
    await db?.destroy();
  });

  it('loads the orders, newest data from the API, and pages them', async () => {
    await waitFor(async () => (await rowIds('orders-table', 'order-row-')).length === 4, { what: 'four orders in the table' });
    expect(await rowIds('orders-table', 'order-row-')).to.deep.equal(['CON-1', 'CON-2', 'CON-3', 'CON-BESIDE']);
    expect(await page.getByTestId('orders-page').textContent()).to.equal('page 1 of 1 (4 orders)');
    expect(await page.getByTestId('orders-next').isDisabled()).to.equal(true);
    await screenshot('orders');
  });

  it('filters the orders by status', async () => {
    await page.getByTestId('status-filter').selectOption('confirmed');
    await waitFor(async () => (await rowIds('orders-table', 'order-row-')).join() === 'CON-2', { what: 'only the confirmed order' });
    await page.getByTestId('status-filter').selectOption('cancelled');
    await waitFor(async () => (await rowIds('orders-table', 'order-row-')).join() === 'CON-3', { what: 'only the cancelled order' });
    await page.getByTestId('status-filter').selectOption('');
    await waitFor(async () => (await rowIds('orders-table', 'order-row-')).length === 4, { what: 'all orders again' });
  });

  it("opens an order with its items and its timeline of applied events, with partition and offset", async () => {
    await page.getByTestId('order-row-CON-2').getByRole('link', { name: 'CON-2' }).click();
    await waitFor(async () => (await page.getByTestId('timeline').locator('tbody tr').count()) === 2, { what: 'two timeline rows' });
    expect(await page.getByTestId('order-status').textContent()).to.equal('confirmed');
    const rows = await page.getByTestId('timeline').locator('tbody tr').allTextContents();
    expect(rows[0]).to.contain('applied').and.contain('OrderCreated').and.contain(config.ORDER_EVENTS_TOPIC);
    expect(rows[1]).to.contain('applied').and.contain('OrderStatusUpdated').and.contain('confirmed');
    await screenshot('order');
  });

  it('lists the dead letters, inspects one, and replays one whose cause was fixed: the order is then applied', async () => {
    await page.getByTestId('tab-dlq').click();
    await waitFor(async () => (await rowIds('dlq-table', 'dlq-row-')).length === 2, { what: 'two dead letters listed' });
    expect((await rowIds('dlq-table', 'dlq-row-')).sort()).to.deep.equal(['CON-NOT-AVRO', 'CON-REPLAY']);
    expect(await page.getByTestId('dlq-row-CON-NOT-AVRO').textContent()).to.contain('NOT_CONFLUENT_AVRO');

    await page.getByTestId('dlq-row-CON-REPLAY').getByTestId('inspect').click();
    await waitFor(async () => ((await page.getByTestId('decoded').textContent()) ?? '').includes('CON-REPLAY'), { what: 'the decoded value shown' });
    expect(await page.getByTestId('dead-letter').textContent()).to.contain('PROCESSING_FAILED').and.contain('dlq-source-topic');
    await screenshot('dead-letters');

    await liftRule();
    await page.getByTestId('operator').fill('alice');
    await page.getByTestId('replay').click();
    await waitFor(async () => ((await page.getByTestId('replayed').textContent()) ?? '').startsWith('Replayed by alice'), { what: 'the replay confirmed' });
    expect(await page.getByTestId('failure').isVisible()).to.equal(false);
    // The list reloads after the confirmation shows.
    await waitFor(async () => ((await page.getByTestId('dlq-row-CON-REPLAY').textContent()) ?? '').includes('alice'), { what: 'the listed dead letter showing its replay by alice' });
    await waitFor(async () => (await orderStatus(db.knex, 'CON-REPLAY')) === 'pending', { what: 'the replayed order applied' });

    // Its timeline in the console: dead-lettered first, then applied from the replay.
    await page.getByTestId('tab-orders').click();
    await waitFor(async () => (await rowIds('orders-table', 'order-row-')).includes('CON-REPLAY'), { what: 'the replayed order listed' });
    await page.getByTestId('order-row-CON-REPLAY').getByRole('link', { name: 'CON-REPLAY' }).click();
    await waitFor(async () => (await page.getByTestId('timeline').locator('tbody tr').count()) === 2, { what: 'its two timeline rows' });
    expect(await page.getByTestId('timeline').locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-testid')))).to.deep.equal([
      'timeline-dead-lettered',
      'timeline-applied',
    ]);
  });

  it('shows a second replay of the same dead letter as refused', async () => {
    await page.getByTestId('tab-dlq').click();
    await waitFor(async () => (await rowIds('dlq-table', 'dlq-row-')).length === 2, { what: 'the dead letters' });
    await page.getByTestId('dlq-row-CON-NOT-AVRO').getByTestId('inspect').click();
    await waitFor(async () => ((await page.getByTestId('dead-letter').textContent()) ?? '').includes('NOT_CONFLUENT_AVRO'), { what: 'the dead letter inspected' });
    await page.getByTestId('operator').fill('bob');
    await page.getByTestId('replay').click();
    await waitFor(async () => ((await page.getByTestId('replayed').textContent()) ?? '').startsWith('Replayed by bob'), { what: 'the first replay' });
    // The page offers no second replay; the API refuses one all the same.
    expect(await page.getByTestId('replay').count()).to.equal(0);
    const recordId = (await page.getByTestId('dead-letter').locator('header').textContent())!.trim().replace('Dead letter ', '');
    const again = await fetch(`http://127.0.0.1:${service.port}/api/dlq/${encodeURIComponent(recordId)}/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operator: 'carol' }),
    });
    expect(again.status).to.equal(409);
  });

  it('shows why a replay is refused, and keeps showing it', async () => {
    const foreign = producer.kafka.producer();
    await foreign.connect();
    try {
      const headers = { 'dlq-record-id': 'elsewhere/0/7', 'dlq-source-topic': 'elsewhere', 'dlq-source-partition': '0', 'dlq-source-offset': '7', 'dlq-error-code': 'NOT_CONFLUENT_AVRO' };
      await foreign.send({ topic: config.DEAD_LETTER_TOPIC, messages: [{ key: 'CON-FOREIGN', value: Buffer.from('x'), headers }] });
    } finally {
      await foreign.disconnect();
    }
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).and(page.locator(':visible')).click();
        return (await rowIds('dlq-table', 'dlq-row-')).includes('CON-FOREIGN');
      },
      { what: 'the foreign dead letter listed' },
    );
    await page.getByTestId('dlq-row-CON-FOREIGN').getByTestId('inspect').click();
    await waitFor(async () => ((await page.getByTestId('dead-letter').textContent()) ?? '').includes('elsewhere/0/7'), { what: 'the foreign dead letter inspected' });
    await page.getByTestId('operator').fill('alice');
    await page.getByTestId('replay').click();
    await waitFor(async () => page.getByTestId('failure').isVisible(), { what: 'the refusal shown' });
    expect(await page.getByTestId('failure').textContent()).to.contain("this service replays only to '" + config.ORDER_EVENTS_TOPIC + "'");
    expect(await page.getByTestId('replay').count(), 'still offered: nothing was replayed').to.equal(1);
    // The browser logs the 409 it was answered as a failed load: that one is this test's doing.
    const provoked = pageErrors.findIndex((error) => error.includes('status of 409'));
    expect(provoked).to.be.greaterThan(-1);
    pageErrors.splice(provoked, 1);
  });

  it('lists the schema subjects of the topic with their versions and compatibility modes from the registry', async () => {
    await page.getByTestId('tab-schemas').click();
    await waitFor(async () => (await page.getByTestId('schemas-table').locator('tbody tr').count()) === 2, { what: 'two subjects' });
    const created = (await page.getByTestId('subject-OrderCreated').textContent()) ?? '';
    expect(created).to.contain(`${config.ORDER_EVENTS_TOPIC}-io.orderflow.events.OrderCreated`).and.match(/v1 \(\d+\)/).and.match(/BACKWARD|FULL|FORWARD|NONE/);
    expect(await page.getByTestId('subject-OrderStatusUpdated').textContent()).to.match(/v1 \(\d+\)/);
    await screenshot('schemas');
  });

  it('plots orders per minute, top products and revenue by currency from the analytics API', async () => {
    await page.getByTestId('tab-analytics').click();
    await waitFor(async () => ((await page.getByTestId('totals').textContent()) ?? '').startsWith('5 orders'), { what: 'the totals' });
    // Chart.js keeps each chart's data on its canvas: what is drawn is what the API said.
    const plotted = await page.evaluate(() => {
      // Chart.js's global in the page (this file is type-checked without the DOM's types).
      const { Chart } = globalThis as unknown as { Chart: { getChart(id: string): { data: { labels?: unknown[]; datasets: Array<{ data: unknown[] }> } } | undefined } };
      return ['chart-orders-per-minute', 'chart-top-products', 'chart-revenue'].map((id) => {
        const data = Chart.getChart(id)?.data;
        return { labels: (data?.labels ?? []).map(String), values: (data?.datasets[0]?.data ?? []).map(Number) };
      });
    });
    const [perMinute, topProducts, revenue] = plotted;
    expect(perMinute!.values.reduce((sum, value) => sum + value, 0), 'orders plotted in the last hour').to.equal(5);
    // Units sold of orders not cancelled: SKU-2 5, SKU-4 3, SKU-1 2 + 1; CON-3's SKU-3 is cancelled.
    expect(topProducts).to.deep.equal({ labels: ['SKU-2', 'SKU-1', 'SKU-4'], values: [5, 3, 3] });
    expect(revenue).to.deep.equal({ labels: ['EUR 25.00', 'USD 30.00'], values: [25, 30] });
    await screenshot('analytics');
  });

  it('shows the consumer lag of each partition', async () => {
    await page.getByTestId('tab-lag').click();
    await waitFor(async () => ((await page.getByTestId('lag-total').textContent()) ?? '').startsWith('0 events behind'), { what: 'no lag once everything is applied' });
    expect(await page.getByTestId('lag-table').locator('tbody tr').count()).to.equal(3);
    expect(await page.getByTestId('lag-total').textContent()).to.contain(config.CONSUMER_GROUP_ID);
    await screenshot('lag');
  });

  it('raised no error in the page', () => {
    expect(pageErrors).to.deep.equal([]);
  });
});
