import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { AssignerProtocol } from 'kafkajs';
import type { Config, ConfigKey } from '../../../src/config';
import { createDatabase, type Knex } from '../../../src/lib/db';
import { createKafkaClient } from '../../../src/lib/kafka';
import { INSTANCE_PORT_STEP } from '../../../scripts/instances';
import { isPortFreeFor } from '../../helpers/ports';
import { testConfig, uniqueSuffix } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';

const ROOT = join(__dirname, '..', '..', '..');

/** The settings that keep this run apart from every other test on the shared stack. */
const OWN_SETTINGS: readonly ConfigKey[] = [
  'ACCESS_DB_SCHEMA',
  'ORDER_EVENTS_TOPIC',
  'DEAD_LETTER_TOPIC',
  'CONSUMER_GROUP_ID',
  'INVENTORY_EVENTS_TOPIC',
  'INVENTORY_DEAD_LETTER_TOPIC',
  'INVENTORY_CONSUMER_GROUP_ID',
  'NOTIFICATION_CONSUMER_GROUP_ID',
  'NOTIFICATION_DEAD_LETTER_TOPIC',
];

/** A base port whose instance ports (base, base + step) are both free. */
async function basePortForTwo(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if ((await isPortFreeFor(port)) && (await isPortFreeFor(port + INSTANCE_PORT_STEP))) return port;
  }
}

/**
 * `npm start -- --instances cart-service=2,order-service=2` as users run it (scripts/start.ts), on
 * external endpoints (the shared stack's, with this test's own schemas, topics and groups).
 */
describe('npm start -- --instances: several instances of a service', function () {
  this.timeout(180_000);
  const suffix = uniqueSuffix();
  const schemas = {
    CART_DB_SCHEMA: `test_scaled_cart_${suffix}`,
    ORDER_DB_SCHEMA: `test_scaled_order_${suffix}`,
    INVENTORY_DB_SCHEMA: `test_scaled_inventory_${suffix}`,
    NOTIFICATION_DB_SCHEMA: `test_scaled_notification_${suffix}`,
  };
  let config: Config;
  let admin: Knex;
  let start: ChildProcess | undefined;
  const output: string[] = [];
  const ports = { cart: 0, order: 0 };

  before(async () => {
    config = testConfig();
    admin = createDatabase({ url: config.DATABASE_URL, poolMax: 1 });
    ports.cart = await basePortForTwo();
    ports.order = await basePortForTwo();
    const inventoryPort = await basePortForTwo();
    const notificationPort = await basePortForTwo();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: config.KAFKA_BROKERS,
      SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL,
      DATABASE_URL: config.DATABASE_URL,
      ...Object.fromEntries(OWN_SETTINGS.map((key) => [key, String(config[key])])),
      ...schemas,
      CART_SERVICE_PORT: String(ports.cart),
      ORDER_SERVICE_PORT: String(ports.order),
      INVENTORY_SERVICE_PORT: String(inventoryPort),
      NOTIFICATION_SERVICE_PORT: String(notificationPort),
      LOG_LEVEL: 'warn',
    };
    // A process group of its own, so a failed test can stop the services with it.
    start = spawn(process.execPath, ['--import', 'tsx', join('scripts', 'start.ts'), '--instances', 'cart-service=2,order-service=2'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    start.stdout?.on('data', keep);
    start.stderr?.on('data', keep);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(output.slice(-40).join('\n'));
  });

  after(async () => {
    // The group: start.ts and every service it started, whatever state a failure left them in.
    if (start?.pid !== undefined) {
      try {
        process.kill(-start.pid, 'SIGKILL');
      } catch {
        // every process of the group has ended
      }
    }
    for (const schema of Object.values(schemas)) await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await admin.destroy();
  });

  const readyData = async (port: number) => {
    const response = await fetch(`http://127.0.0.1:${port}/ready`);
    return response.status === 200 ? ((await response.json()) as { data: Record<string, string> }).data : undefined;
  };

  it('runs two carts on their own ports, one of which leads the outbox relay', async () => {
    const roles = await waitFor(
      async () => {
        const data = await Promise.all([ports.cart, ports.cart + INSTANCE_PORT_STEP].map(readyData));
        const relayRoles = data.map((entry) => entry?.relay);
        return relayRoles.includes('leader') && relayRoles.includes('standby') ? relayRoles : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'both carts ready, one leading the relay and one standing by' },
    );
    expect([...roles].sort()).to.deep.equal(['leader', 'standby']);
    expect(output.join('\n')).to.include(`cart-service on :${ports.cart + INSTANCE_PORT_STEP}`);
  });

  it('runs two order services that split the order topic between them and serve the same orders', async () => {
    const orderPorts = [ports.order, ports.order + INSTANCE_PORT_STEP];
    await waitFor(async () => (await Promise.all(orderPorts.map(readyData))).every(Boolean), { timeoutMs: 60_000, what: 'both order services ready' });

    const orderId = `SCALED-${suffix}`;
    const created = await fetch(`http://127.0.0.1:${ports.cart + INSTANCE_PORT_STEP}/api/create-order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId, numItems: 1 }),
    });
    expect(created.status).to.equal(201);
    for (const port of orderPorts) {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/api/orders/${orderId}`)).status === 200, { what: `the order on the order service at :${port}` });
    }

    const kafkaAdmin = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'scaled-start-test' }).admin();
    await kafkaAdmin.connect();
    try {
      const assigned = await waitFor(
        async () => {
          const { groups } = await kafkaAdmin.describeGroups([config.CONSUMER_GROUP_ID]);
          const group = groups[0];
          return group?.state === 'Stable' && group.members.length === 2 ? group.members : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: 'the order services to form one consumer group of two' },
      );
      // Each member holds some of the order topic's partitions, and together they hold all of them once.
      const partitions = assigned.map((member) => AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[config.ORDER_EVENTS_TOPIC] ?? []);
      expect(partitions.every((held) => held.length > 0), `each instance holds partitions: ${JSON.stringify(partitions)}`).to.equal(true);
      expect(partitions.flat().sort()).to.deep.equal([0, 1, 2]);
    } finally {
      await kafkaAdmin.disconnect();
    }
  });

  it('stops every instance on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => start!.once('exit', (code) => resolve(code)));
    start!.kill('SIGTERM');
    expect(await exited).to.equal(0);
    for (const port of [ports.cart, ports.cart + INSTANCE_PORT_STEP, ports.order, ports.order + INSTANCE_PORT_STEP]) {
      await waitFor(() => isPortFreeFor(port), { what: `port ${port} closed`, timeoutMs: 20_000 });
    }
  });
});
