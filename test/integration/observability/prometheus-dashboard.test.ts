import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { CART_DATABASE } from '../../../src/cart-service';
import { startCartService } from '../../../src/cart-service/server';
import { GENERATED_CATALOGUE } from '../../../src/domain';
import { createInventoryRepository, INVENTORY_DATABASE, startInventoryService } from '../../../src/inventory-service';
import { NOTIFICATION_DATABASE, startNotificationService } from '../../../src/notification-service';
import { ORDER_DATABASE } from '../../../src/order-service';
import { startOrderService } from '../../../src/order-service/server';
import { PROMETHEUS_TARGETS_DIR, PROMETHEUS_URL } from '../../../scripts/stack/prometheus';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { startWebhookReceiver } from '../notification-service/notification-fixtures';

const ROOT = join(__dirname, '..', '..', '..');

interface Panel {
  title: string;
  targets: Array<{ expr: string }>;
}
interface PromResponse<T> {
  status: string;
  error?: string;
  data: T;
}
interface RuleGroup {
  rules: Array<{ name: string; query: string; health: string; lastError?: string }>;
}

async function promApi<T>(path: string): Promise<PromResponse<T>> {
  const response = await fetch(`${PROMETHEUS_URL}${path}`);
  return (await response.json()) as PromResponse<T>;
}

async function query(expr: string): Promise<PromResponse<{ result: unknown[] }>> {
  return promApi(`/api/v1/query?query=${encodeURIComponent(expr)}`);
}

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const dashboard = JSON.parse(readFileSync(join(ROOT, 'grafana/dashboards/orderflow.json'), 'utf8')) as { panels: Panel[] };
const panelQueries = dashboard.panels.flatMap((panel) => panel.targets.map(({ expr }) => ({ title: panel.title, expr })));

describe('Prometheus and the Grafana dashboard', function () {
  this.timeout(180_000);
  const config = testConfig();
  const targetsFile = join(PROMETHEUS_TARGETS_DIR, `test-${uniqueSuffix()}.json`);
  let cartDb: TestDatabase;
  let orderDb: TestDatabase;
  let inventoryDb: TestDatabase;
  let notificationDb: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const stopServices: Array<() => Promise<void>> = [];

  before(async () => {
    cartDb = await createTestDatabase(CART_DATABASE, config, 30);
    orderDb = await createTestDatabase(ORDER_DATABASE, config);
    inventoryDb = await createTestDatabase(INVENTORY_DATABASE, config);
    notificationDb = await createTestDatabase(NOTIFICATION_DATABASE, config);
    // The generated orders' items in stock, so the inventory service reserves, releases and commits;
    // and a receiver that takes every webhook, so the notification service delivers.
    await createInventoryRepository({ knex: inventoryDb.knex }).stockIfNew(GENERATED_CATALOGUE, 1_000);
    receiver = await startWebhookReceiver();
    const started = <T extends { stop(): Promise<void> }>(service: T): T => {
      stopServices.push(service.stop);
      return service;
    };
    const cart = started(await startCartService(config, { knex: cartDb.knex, port: 0 }));
    const orders = started(await startOrderService(config, { knex: orderDb.knex, port: 0 }));
    const inventory = started(await startInventoryService(config, { knex: inventoryDb.knex, port: 0 }));
    const notifications = started(
      await startNotificationService({ ...config, WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: 'a-receiver-shared-secret-of-32ch' }, { knex: notificationDb.knex, port: 0 }),
    );
    const services = [cart, orders, inventory, notifications];
    const job = `test-${uniqueSuffix()}`;
    writeFileSync(targetsFile, JSON.stringify([{ targets: services.map((service) => `127.0.0.1:${service.port}`), labels: { job } }]));

    // A short lifecycle load: every order created, most driven to delivered, some cancelled.
    const base = `http://127.0.0.1:${cart.port}/api`;
    const send = (method: string, path: string, body: object) =>
      fetch(`${base}/${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 5; i += 1) {
        const orderId = `PROM-${job}-${round}-${i}`;
        expect((await send('POST', 'create-order', { orderId, numItems: 2 })).status).to.equal(201);
        const path = i === 0 ? ['cancelled'] : ['confirmed', 'paid', 'shipped', 'delivered'];
        for (const status of path) expect((await send('PUT', 'update-order', { orderId, status })).status).to.equal(200);
      }
      // Rates need two scrapes with traffic between them.
      await waitFor(async () => (await query(`up{job="${job}"}`)).data.result.length === services.length, { timeoutMs: 30_000, what: 'Prometheus to scrape every service' });
    }
  });

  after(async () => {
    rmSync(targetsFile, { force: true });
    for (const stop of stopServices) await stop();
    await receiver?.stop();
    await notificationDb?.destroy();
    await inventoryDb?.destroy();
    await orderDb?.destroy();
    await cartDb?.destroy();
  });

  it('accepts the alert rules and the docker-compose scrape config (promtool)', () => {
    const rules = promtool(['check', 'rules', join(ROOT, 'prometheus/alert-rules.yml')]);
    expect(rules.status, rules.output).to.equal(0);

    // The compose config names the rules file by its path inside the container.
    const scratch = mkdtempSync(join(tmpdir(), 'orderflow-prom-'));
    try {
      const composeConfig = readFileSync(join(ROOT, 'prometheus/prometheus.yml'), 'utf8').replace('/etc/prometheus/alert-rules.yml', join(ROOT, 'prometheus/alert-rules.yml'));
      writeFileSync(join(scratch, 'prometheus.yml'), composeConfig);
      const checked = promtool(['check', 'config', join(scratch, 'prometheus.yml')]);
      expect(checked.status, checked.output).to.equal(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('evaluates every alert rule without error', async () => {
    const expected = (parse(readFileSync(join(ROOT, 'prometheus/alert-rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string }> }> }).groups
      .flatMap((group) => group.rules.map((rule) => rule.alert));
    const rules = await waitFor(async () => {
      const { data } = await promApi<{ groups: RuleGroup[] }>('/api/v1/rules');
      const loaded = data.groups.flatMap((group) => group.rules);
      return loaded.length === expected.length && loaded.every((rule) => rule.health !== 'unknown') ? loaded : undefined;
    }, { timeoutMs: 30_000, what: 'every rule to be evaluated once' });
    expect(rules.map((rule) => rule.name)).to.have.members(expected);
    for (const rule of rules) expect(rule.health, `${rule.name}: ${rule.lastError ?? ''}`).to.equal('ok');
  });

  for (const { title, expr } of panelQueries) {
    it(`has data for the panel "${title}": ${expr.slice(0, 60)}…`, async () => {
      const answer = await waitFor(async () => {
        const response = await query(expr);
        if (response.status !== 'success') throw new Error(response.error);
        return response.data.result.length > 0 ? response : undefined;
      }, { timeoutMs: 30_000, intervalMs: 1_000, what: `data for "${title}"` });
      expect(answer.status).to.equal('success');
    });
  }
});
