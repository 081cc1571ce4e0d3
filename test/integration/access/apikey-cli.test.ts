import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createDatabase, type Knex } from '../../../src/lib/db';
import { parseKey, verifySecret } from '../../../src/lib/access';
import { testConfig, uniqueSuffix } from '../../helpers/test-env';

const ROOT = join(__dirname, '..', '..', '..');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/apikey.ts` as `npm run apikey:*` does, on the test's own ACCESS_DB_SCHEMA. */
function apikey(schema: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('scripts', 'apikey.ts'), ...args], { cwd: ROOT, env: { ...process.env, ACCESS_DB_SCHEMA: schema } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run apikey:create / apikey:list / apikey:revoke (real PostgreSQL)', function () {
  this.timeout(120_000);
  const schema = `test_access_cli_${uniqueSuffix()}`;
  let admin: Knex;
  let created: { key: string; keyId: string; secret: string };

  before(() => {
    admin = createDatabase({ url: testConfig().DATABASE_URL, poolMax: 1 });
  });
  after(async () => {
    await admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await admin.destroy();
  });

  it('create prints the key alone on stdout, once, and stores only an argon2id hash of its secret', async () => {
    const run = await apikey(schema, 'create', '--role', 'writer', '--name', 'shop frontend');
    expect(run.status, run.stderr).to.equal(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines).to.have.length(1);
    const parsed = parseKey(lines[0] ?? '');
    expect(parsed, run.stdout).to.not.equal(undefined);
    created = { key: lines[0] ?? '', keyId: parsed?.keyId ?? '', secret: parsed?.secret ?? '' };
    expect(run.stderr).to.contain(`created writer key ${created.keyId}`).and.contain('first key').and.not.contain(created.secret);

    const rows = (await admin.withSchema(schema).table('api_keys').select('*')) as Array<Record<string, unknown>>;
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ id: created.keyId, role: 'writer', name: 'shop frontend', revoked_at: null });
    const stored = JSON.stringify(rows[0]);
    expect(stored).to.not.contain(created.secret);
    expect(await verifySecret(String(rows[0]?.secret_hash), created.secret)).to.equal(true);
  });

  it('list shows ids, roles, names and creation times, never a secret or a hash', async () => {
    await apikey(schema, 'create', '--role', 'reader');
    const table = await apikey(schema, 'list');
    expect(table.status, table.stderr).to.equal(0);
    expect(table.stdout.split('\n')[0]).to.match(/^ID\s+ROLE\s+NAME\s+CREATED$/);
    expect(table.stdout).to.contain(created.keyId).and.contain('writer').and.contain('shop frontend').and.contain('reader');
    expect(table.stdout).to.not.contain(created.secret).and.not.contain('argon2');
    const json = await apikey(schema, 'list', '--json');
    const keys = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(keys).to.have.length(2);
    expect(Object.keys(keys[0] ?? {}).sort()).to.deep.equal(['createdAt', 'id', 'name', 'revokedAt', 'role']);
  });

  it('refuses a role that does not exist, or none, naming the roles, and exits non-zero without creating a key', async () => {
    const bad = await apikey(schema, 'create', '--role', 'superuser');
    expect(bad.status).to.equal(1);
    expect(bad.stderr).to.contain("argument 'superuser' is invalid").and.contain('reader, writer, admin');
    expect(bad.stdout).to.equal('');
    const none = await apikey(schema, 'create');
    expect(none.status).to.equal(1);
    expect(none.stderr).to.contain("required option '--role <role>' not specified");
    const blankName = await apikey(schema, 'create', '--role', 'reader', '--name', ' ');
    expect(blankName.status).to.equal(1);
    expect(JSON.parse((await apikey(schema, 'list', '--json')).stdout)).to.have.length(2);
  });

  it('revoke marks the key revoked (list --all shows when), refuses an id that is malformed or unknown, and says when no key is left', async () => {
    const malformed = await apikey(schema, 'revoke', 'of_whole_key_pasted');
    expect(malformed.status).to.equal(1);
    expect(malformed.stderr).to.contain('expected a key id');
    const unknown = await apikey(schema, 'revoke', '0123456789abcdef');
    expect(unknown.status).to.equal(1);
    expect(unknown.stderr).to.contain('no API key has id 0123456789abcdef');

    const revoked = await apikey(schema, 'revoke', created.keyId);
    expect(revoked.status, revoked.stderr).to.equal(0);
    expect(revoked.stderr).to.contain(`revoked key ${created.keyId}`);
    expect((await apikey(schema, 'list')).stdout).to.not.contain(created.keyId);
    const all = await apikey(schema, 'list', '--all');
    expect(all.stdout.split('\n')[0]).to.match(/REVOKED$/);
    expect(all.stdout).to.contain(created.keyId);

    const [reader] = (JSON.parse((await apikey(schema, 'list', '--json')).stdout) as Array<{ id: string }>).map((key) => key.id);
    const last = await apikey(schema, 'revoke', reader ?? '');
    expect(last.stderr).to.contain('OPEN again');
  });
});
