import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { ORDER_DATABASE, startOrderService, type RunningOrderService } from '../../../src/order-service';
import { createAccessSchema, type TestAccessSchema, type TestKey } from '../../helpers/access';
import { launchChromium } from '../../helpers/browser';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, orderCreated, orderStatus } from '../order-service/order-service-fixtures';

/** The console with API keys on: it asks for one, keeps it for the tab, sends it, and says what a 401 or 403 means. */
describe('operator console with API keys, in headless Chromium (real Kafka, registry and PostgreSQL)', function () {
  this.timeout(300_000);
  let access: TestAccessSchema;
  let db: TestDatabase;
  let service: RunningOrderService;
  let browser: Browser;
  let page: Page;
  let reader: TestKey;
  let admin: TestKey;
  const pageErrors: string[] = [];

  const failure = async () => ((await page.getByTestId('failure').isVisible()) ? ((await page.getByTestId('failure').textContent()) ?? '') : '');
  // Evaluated in the page: the tests' TypeScript has no DOM types.
  const storedKey = () => page.evaluate("sessionStorage.getItem('orderflow.apiKey')");
  const orderRows = () => page.getByTestId('orders-table').locator('tbody tr').count();
  async function enterKey(key: string): Promise<void> {
    await page.getByTestId('api-key').fill(key);
    await page.getByTestId('use-key').click();
  }

  before(async () => {
    browser = await launchChromium();
    access = await createAccessSchema();
    reader = await access.createKey('reader', 'support');
    admin = await access.createKey('admin', 'ops');
    const config = testConfig({ ACCESS_DB_SCHEMA: access.schema });
    db = await createTestDatabase(ORDER_DATABASE, config);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    const producer = await createEventProducer(config);
    await producer.send([orderCreated('KEYED-1', { orderDate: new Date() })]);
    await producer.close();
    await waitFor(async () => (await orderStatus(db.knex, 'KEYED-1')) === 'pending', { what: 'the order applied' });

    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // Chromium reports each refused fetch (401, 403) as a console error: those are what this test provokes.
      if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) pageErrors.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${service.port}/console/`);
  });

  after(async () => {
    await browser?.close();
    await service?.stop();
    await db?.destroy();
    await access?.destroy();
  });

  it('loads the page without a key, then says the API needs one and offers a field for it', async () => {
    await waitFor(async () => (await failure()).includes('needs an API key'), { what: 'the console asking for a key' });
    expect(await page.getByTestId('key-form').isVisible()).to.equal(true);
    expect(await page.getByTestId('api-key').getAttribute('type')).to.equal('password');
    expect(await orderRows()).to.equal(0);
  });

  it('says a mistyped key was refused', async () => {
    await enterKey('of_not_a_real_key');
    await waitFor(async () => (await failure()).includes('refused this API key'), { what: 'the refusal of a bad key' });
    expect(await orderRows()).to.equal(0);
  });

  it('lists the orders with a reader key, kept in sessionStorage for this tab', async () => {
    await enterKey(reader.key);
    await waitFor(async () => (await orderRows()) === 1, { what: 'the order listed' });
    expect(await failure()).to.equal('');
    expect(await storedKey()).to.equal(reader.key);
    expect(await page.getByTestId('forget-key').isVisible()).to.equal(true);
  });

  it('says the reader key may not open the dead letters (admin only), and opens them with an admin key', async () => {
    await page.getByTestId('tab-dlq').click();
    await waitFor(async () => (await failure()).includes('may not do this'), { what: 'the 403 explained' });
    expect(await failure()).to.contain('admin');
    await enterKey(admin.key);
    await waitFor(async () => (await failure()) === '' && (await page.getByTestId('dlq-table').isVisible()), { what: 'the dead letters opened with the admin key' });
    await page.getByTestId('tab-lag').click();
    await waitFor(async () => ((await page.getByTestId('lag-total').textContent()) ?? '').includes('events behind'), { what: "the consumer lag, another admin API, shown" });
    expect(await failure()).to.equal('');
  });

  it('keeps the key across a reload of the page, and forgets it on request', async () => {
    await page.reload();
    await waitFor(async () => (await orderRows()) === 1, { what: 'the orders listed after the reload, without asking again' });
    expect(await failure()).to.equal('');
    await page.getByTestId('forget-key').click();
    expect(await storedKey()).to.equal(null);
    await page.getByTestId('tab-orders').click();
    await waitFor(async () => (await failure()).includes('needs an API key'), { what: 'the console asking again' });
    expect(pageErrors).to.deep.equal([]);
  });
});
