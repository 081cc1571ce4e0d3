import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readScramCredentials, SCRAM_CREDENTIALS_FILE } from '../../../scripts/stack/kafka-sasl-ssl';
import { STACK_PORTS } from '../../../scripts/stack/ports';
import { CA_FILE } from '../../../scripts/stack/tls';
import { startCartService, type RunningCartService } from '../../../src/cart-service/server';
import { loadConfig, type Config, type ConfigKey } from '../../../src/config';
import { createDatabase, databaseConnection, type Knex } from '../../../src/lib/db';
import { startOrderService, type RunningOrderService } from '../../../src/order-service';
import { freeLoopbackPort } from '../../helpers/ports';
import { spawnService } from '../../helpers/service-process';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy';
import { testConfig, uniqueSuffix } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST } from '../order-service/order-service-fixtures';

/**
 * The services on the local stack's encrypted endpoints: Kafka's SASL_SSL listener, signing in as
 * the stack's SCRAM user and trusting the stack's CA, and PostgreSQL with verify-full against
 * the same CA. Each service builds its own pool from the configuration (no test pool handed in),
 * in a schema of this test's own, so its connections are the ones checked.
 */
describe('encrypted connections: Kafka over SASL_SSL (SCRAM) and PostgreSQL over TLS (verify-full)', function () {
  this.timeout(120_000);

  /** The settings that point a service at the stack's SASL_SSL listener and PostgreSQL's TLS. */
  function encryptedSettings(): Partial<Record<ConfigKey, string>> {
    const credentials = readScramCredentials();
    if (credentials === undefined) throw new Error(`no SCRAM credentials in ${SCRAM_CREDENTIALS_FILE}: start the stack (npm run stack:up) with this version`);
    return {
      KAFKA_BROKERS: `127.0.0.1:${STACK_PORTS.kafkaSaslSsl}`,
      KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: credentials.username,
      KAFKA_SASL_PASSWORD: credentials.password,
      KAFKA_SSL_CA_FILE: CA_FILE,
      DATABASE_SSL: 'verify-full',
      DATABASE_SSL_CA_FILE: CA_FILE,
    };
  }

  /** A config on the encrypted endpoints with this test's own topics, groups and service schemas. */
  function encryptedConfig(overrides: Partial<Record<ConfigKey, string>> = {}): Config {
    return testConfig({ ...encryptedSettings(), CART_DB_SCHEMA: `test_${uniqueSuffix()}`, ORDER_DB_SCHEMA: `test_${uniqueSuffix()}`, ...overrides });
  }

  /** A pool on the plain connection, to look at the server's side and drop the test's schemas. */
  let admin: Knex;
  const schemas: string[] = [];
  before(() => {
    admin = createDatabase({ url: testConfig().DATABASE_URL, poolMax: 2 });
  });
  after(async () => {
    for (const schema of schemas) await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await admin.destroy();
  });

  async function get(url: string): Promise<{ status: number; body: { message?: string; data?: Record<string, unknown> } }> {
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as { message?: string; data?: Record<string, unknown> } };
  }

  async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  }

  describe('with the right credentials and CA', () => {
    let config: Config;
    let cart: RunningCartService | undefined;
    let orders: RunningOrderService | undefined;
    before(async () => {
      config = encryptedConfig();
      schemas.push(config.CART_DB_SCHEMA, config.ORDER_DB_SCHEMA);
      cart = await startCartService(config, { port: 0 });
      orders = await startOrderService(config, FAST);
    });
    after(async () => {
      await orders?.stop();
      await cart?.stop();
    });

    it('a POSTed order is answered 201 by the cart and shown by the order service', async () => {
      const orderId = `TLS-${uniqueSuffix()}`;
      const created = await post(`http://127.0.0.1:${cart!.port}/api/create-order`, { orderId, numItems: 2 });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const shown = await waitFor(
        async () => {
          const reply = await get(`http://127.0.0.1:${orders!.port}/api/order-details?orderId=${orderId}`);
          return reply.status === 200 ? reply : undefined;
        },
        { what: `${orderId} persisted by the order service` },
      );
      expect(shown.body.data).to.include({ orderId, status: 'pending' });
      expect((await get(`http://127.0.0.1:${cart!.port}/ready`)).status, 'the cart is ready').to.equal(200);
      expect((await get(`http://127.0.0.1:${orders!.port}/ready`)).status, 'the order service is ready').to.equal(200);
    });

    it("every connection of both services' pools is encrypted", async () => {
      const { rows } = (await admin.raw(
        `SELECT a.application_name, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
          WHERE a.application_name IN ('orderflow-cart-service', 'orderflow-order-service')`,
      )) as { rows: Array<{ application_name: string; ssl: boolean }> };
      expect(new Set(rows.map((row) => row.application_name))).to.deep.equal(new Set(['orderflow-cart-service', 'orderflow-order-service']));
      expect(rows.filter((row) => !row.ssl), 'plain connections').to.deep.equal([]);
    });
  });

  describe('with a wrong SCRAM password', () => {
    let child: ChildProcess | undefined;
    /** Set only if the order service started after all, to stop it. */
    let orders: RunningOrderService | undefined;
    after(async () => {
      await orders?.stop();
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child!.once('exit', resolve));
      }
    });

    it('the cart (its own process) starts, says on /ready that Kafka is down, answers writes 503, and keeps running', async () => {
      const config = encryptedConfig({ KAFKA_SASL_PASSWORD: 'not-the-password' });
      schemas.push(config.CART_DB_SCHEMA);
      const port = await freeLoopbackPort();
      const env = Object.fromEntries(
        (['KAFKA_SECURITY_PROTOCOL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SSL_CA_FILE', 'DATABASE_SSL', 'DATABASE_SSL_CA_FILE', 'CART_DB_SCHEMA', 'ORDER_EVENTS_TOPIC'] as const).map((key) => [key, String(config[key])]),
      );
      child = spawnService('cart-service', config, { ...env, KAFKA_SASL_PASSWORD: 'not-the-password', CART_SERVICE_PORT: String(port) });
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/health`).catch(() => undefined))?.ok === true, { what: 'the cart to listen', timeoutMs: 60_000 });

      const ready = await get(`${base}/ready`);
      expect(ready.status).to.equal(503);
      expect(ready.body.message).to.match(/not ready: kafka unreachable/);
      expect(ready.body.data).to.include({ database: 'up' });

      const refused = await post(`${base}/api/create-order`, { orderId: `TLS-${uniqueSuffix()}`, numItems: 1 });
      expect(refused.status, JSON.stringify(refused.body)).to.equal(503);
      expect((await get(`${base}/ready`)).status, 'still answering after the refused write').to.equal(503);
      expect(child.exitCode, 'the cart is still running').to.equal(null);
    });

    // As with Kafka unreachable at start, the order service does not start without joining its group;
    // what matters is that it fails at once, saying why, and leaves nothing running.
    it('the order service refuses to start, saying Kafka refused its SCRAM credentials', async () => {
      const config = encryptedConfig({ KAFKA_SASL_PASSWORD: 'not-the-password' });
      schemas.push(config.ORDER_DB_SCHEMA);
      const failure = await startOrderService(config, FAST).then(
        (started) => {
          orders = started;
          return undefined;
        },
        (error: unknown) => error as Error,
      );
      expect(failure?.message).to.match(/SASL SCRAM SHA512 authentication failed.*invalid credentials/);
      expect(failure?.message, 'the password is not in the message').not.to.include('not-the-password');
    });
  });

  describe('with a CA that cannot be used', () => {
    const folder = mkdtempSync(join(tmpdir(), 'orderflow-tls-test-'));
    after(() => rmSync(folder, { recursive: true, force: true }));

    it('a CA file that cannot be read stops the service at start with one line naming the setting, no stack trace', async () => {
      const missing = join(folder, 'missing-ca.pem');
      const config = encryptedConfig();
      const child = spawnService('cart-service', config, { ...(encryptedSettings() as Record<string, string>), KAFKA_SSL_CA_FILE: missing }, ['ignore', 'pipe', 'pipe']);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += String(chunk)));
      child.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).to.equal(1);
      expect(output).to.include(`✗ cart-service: invalid configuration:\n  - KAFKA_SSL_CA_FILE='${missing}': cannot be read (ENOENT)`);
      expect(output, 'no stack trace').not.to.match(/\n\s+at /);
      expect(output, 'the password is not printed').not.to.include(readScramCredentials()!.password);
    });

    it('PostgreSQL with verify-full and a CA that did not sign its certificate refuses the connection, saying why', async () => {
      const otherCa = join(folder, 'other-ca.pem');
      const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=Some other CA', '-keyout', join(folder, 'other-ca.key'), '-out', otherCa], { encoding: 'utf8' });
      expect(made.status, made.stderr).to.equal(0);
      const knex = createDatabase({ ...databaseConnection(loadConfig(process.env, { DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: otherCa })), poolMax: 1 });
      try {
        const failure = await knex.raw('SELECT 1').then(() => undefined, (error: unknown) => error as Error);
        expect(failure?.message).to.match(/self[- ]signed certificate in certificate chain|unable to verify the first certificate|unable to get local issuer certificate/);
      } finally {
        await knex.destroy();
      }
    });

    it('PostgreSQL with verify-full checks the host name: reached as 127.0.0.2, which its certificate does not name, it is refused', async () => {
      const { hostname, port } = new URL(testConfig().DATABASE_URL);
      let proxy: TcpProxy | undefined;
      let knex: Knex | undefined;
      try {
        proxy = await startTcpProxy({ host: hostname, port: Number(port) }, { listenHost: '127.0.0.2' });
        const url = new URL(testConfig().DATABASE_URL);
        url.hostname = '127.0.0.2';
        url.port = String(proxy.port);
        const config = loadConfig(process.env, { DATABASE_URL: url.toString(), DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: CA_FILE });
        knex = createDatabase({ ...databaseConnection(config), poolMax: 1 });
        const failure = await knex.raw('SELECT 1').then(() => undefined, (error: unknown) => error as Error);
        expect(failure?.message).to.match(/IP: 127\.0\.0\.2 is not in the cert's list/);
        // The same way in with require (no certificate check) works: the refusal was the host name's.
        const unchecked = createDatabase({ ...databaseConnection(loadConfig(process.env, { DATABASE_URL: url.toString(), DATABASE_SSL: 'require' })), poolMax: 1 });
        try {
          expect((await unchecked.raw('SELECT 1 AS one')).rows).to.deep.equal([{ one: 1 }]);
        } finally {
          await unchecked.destroy();
        }
      } finally {
        await knex?.destroy();
        await proxy?.close();
      }
    });
  });
});
