import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { createDatabase, type Knex } from '../../../src/lib/db';
import { createKeyStore, generateKey, hashSecret, migrateAccessSchema, type Role } from '../../../src/lib/access';
import { bearer } from '../../helpers/access';
import { freeLoopbackPort } from '../../helpers/ports';
import { spawnService } from '../../helpers/service-process';
import { testConfig, uniqueSuffix } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';

/** Starts the cart service as users do, collecting everything it writes; resolves when it has exited. */
function runCapturing(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawnService('cart-service', testConfig(), env, ['ignore', 'pipe', 'pipe']);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/**
 * The cart service run as a child process at LOG_LEVEL=debug, on a PostgreSQL role whose password
 * is a random string, sent good, bad and malformed API keys: neither a key's secret nor the
 * password may appear anywhere in what it wrote. Nor in what a second instance with a wrong
 * password writes while it fails to start.
 */
describe('secrets never reach the logs (the cart service as a child process)', function () {
  this.timeout(120_000);
  const suffix = uniqueSuffix();
  const role = `test_logs_${suffix}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const wrongPassword = `wrong-${randomBytes(12).toString('hex')}`;
  const schemas = { CART_DB_SCHEMA: `test_logs_cart_${suffix}`, ACCESS_DB_SCHEMA: `test_logs_access_${suffix}` };
  const stack = testConfig();
  const withPassword = (secret: string) => {
    const url = new URL(stack.DATABASE_URL);
    url.username = role;
    url.password = secret;
    return url.toString();
  };
  let admin: Knex;
  let roleKnex: Knex;
  const keys: Partial<Record<Role, { key: string; secret: string }>> = {};

  before(async () => {
    admin = createDatabase({ url: stack.DATABASE_URL, poolMax: 1 });
    await admin.raw(`CREATE ROLE ?? LOGIN PASSWORD '${password}'`, [role]);
    for (const schema of Object.values(schemas)) await admin.raw('CREATE SCHEMA ?? AUTHORIZATION ??', [schema, role]);
    await migrateAccessSchema({ connection: { url: withPassword(password), ssl: undefined }, schema: schemas.ACCESS_DB_SCHEMA });
    roleKnex = createDatabase({ url: withPassword(password), poolMax: 1 });
    const store = createKeyStore({ knex: roleKnex, schema: schemas.ACCESS_DB_SCHEMA });
    for (const keyRole of ['reader', 'writer'] as const) {
      const { keyId, secret, key } = generateKey();
      await store.insert({ id: keyId, name: keyRole, role: keyRole, secretHash: await hashSecret(secret) });
      keys[keyRole] = { key, secret };
    }
  });

  after(async () => {
    await roleKnex?.destroy();
    for (const schema of Object.values(schemas)) await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await admin.raw('DROP ROLE IF EXISTS ??', [role]);
    await admin.destroy();
  });

  it('logs requests with good, bad and malformed keys, and a failed database login, without a key secret or a password', async () => {
    const port = await freeLoopbackPort();
    const env = { ...schemas, DATABASE_URL: withPassword(password), CART_SERVICE_PORT: String(port), ORDER_EVENTS_TOPIC: `test-order-events-${suffix}`, LOG_LEVEL: 'debug' };
    const service = runCapturing(env);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, { timeoutMs: 60_000, what: 'the cart service answering /health' });
      const writer = keys.writer as { key: string; secret: string };
      const reader = keys.reader as { key: string; secret: string };
      const send = (headers: Record<string, string>, body: unknown = { orderId: `LOG-${uniqueSuffix()}`, numItems: 1 }) =>
        fetch(`http://127.0.0.1:${port}/api/create-order`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const statuses = [
        (await send(bearer(writer.key))).status,
        (await send(bearer(reader.key))).status,
        (await send(bearer(`${writer.key.slice(0, 20)}${'x'.repeat(43)}`))).status,
        (await send({ authorization: `Bearer ${writer.secret}` })).status,
        (await send({ authorization: `Basic ${Buffer.from(`u:${writer.secret}`).toString('base64')}` })).status,
        (await send(bearer(writer.key), { orderId: '', apiKey: writer.key, password })).status,
        (await fetch(`http://127.0.0.1:${port}/api/orders/${encodeURIComponent('X')}?apiKey=${writer.key}`, { headers: bearer(reader.key) })).status,
      ];
      expect(statuses).to.deep.equal([201, 403, 401, 401, 401, 400, 404]);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }

    const failing = runCapturing({ ...env, DATABASE_URL: withPassword(wrongPassword) });
    expect(await failing.exited).to.equal(1);

    const logs = service.output() + failing.output();
    // The capture works: the service's own lines, a refusal at debug level, and the failed login are there.
    expect(service.output()).to.contain('cart service listening').and.contain('UNAUTHORIZED');
    expect(failing.output()).to.contain('password authentication failed');
    for (const secret of [password, wrongPassword, keys.writer?.secret, keys.reader?.secret]) {
      expect(secret).to.be.a('string');
      expect(logs.includes(secret as string), 'a secret appears in the logs').to.equal(false);
    }
  });
});
