/**
 * `npm run apikey:create -- --role writer [--name ci]`, `npm run apikey:list [-- --all] [-- --json]`,
 * `npm run apikey:revoke -- <keyId>`: the API keys of ACCESS_DB_SCHEMA in DATABASE_URL's database.
 * A created key goes to stdout alone (so `KEY=$(npm run -s apikey:create -- --role reader)` works)
 * and is never shown again: only the argon2id hash of its secret is stored.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from '../src/config';
import { createKeyStore, generateKey, hashSecret, isKeyId, migrateAccessSchema, ROLE_DOCS, ROLES, type KeyStore, type Role } from '../src/lib/access';
import { createDatabase, databaseConnection } from '../src/lib/db';

const MAX_NAME_LENGTH = 100;

/** A failure the user can act on: printed as one line, exit 1. */
class UsageError extends Error {}

function keyName(value: string): string {
  const name = value.trim();
  // Control characters would garble `apikey:list` and the logs that name the key.
  if (name === '' || name.length > MAX_NAME_LENGTH || /\p{Cc}/u.test(name)) throw new InvalidArgumentError(`expected 1 to ${MAX_NAME_LENGTH} printable characters`);
  return name;
}

function keyId(value: string): string {
  if (!isKeyId(value)) throw new InvalidArgumentError('expected a key id: 16 hex digits, the part of the key between "of_" and the next "_" (see npm run apikey:list)');
  return value;
}

/** Opens the keys' schema (creating and migrating it when missing), runs `work`, closes. */
async function withStore<T>(config: Config, work: (store: KeyStore) => Promise<T>): Promise<T> {
  await migrateAccessSchema({ connection: databaseConnection(config), schema: config.ACCESS_DB_SCHEMA });
  const knex = createDatabase({ ...databaseConnection(config), poolMax: 1, applicationName: 'orderflow-apikey' });
  try {
    return await work(createKeyStore({ knex, schema: config.ACCESS_DB_SCHEMA }));
  } finally {
    await knex.destroy();
  }
}

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

async function create({ role, name }: { role: Role; name?: string }): Promise<void> {
  const config = configOrExit();
  const { keyId: id, secret, key } = generateKey();
  const secretHash = await hashSecret(secret);
  const othersBefore = await withStore(config, async (store) => {
    const before = (await store.active()).length;
    await store.insert({ id, name: name ?? null, role, secretHash });
    return before;
  });
  process.stdout.write(`${key}\n`);
  const label = name === undefined ? '' : ` "${name}"`;
  process.stderr.write(`✓ created ${role} key ${id}${label} in schema ${config.ACCESS_DB_SCHEMA}. The key is printed above, once: store it now, only its hash is kept.\n`);
  process.stderr.write(`  Send it as: Authorization: Bearer <key>\n`);
  if (othersBefore === 0) {
    process.stderr.write(`  It is the first key: within ACCESS_KEYS_REFRESH_MS (${config.ACCESS_KEYS_REFRESH_MS} ms) every service requires a key on its API.\n`);
  }
}

async function list({ all, json }: { all: boolean; json: boolean }): Promise<void> {
  const config = configOrExit();
  const keys = await withStore(config, (store) => store.list({ all }));
  if (json) {
    process.stdout.write(`${JSON.stringify(keys.map((key) => ({ ...key, createdAt: key.createdAt.toISOString(), revokedAt: key.revokedAt?.toISOString() ?? null })), null, 2)}\n`);
    return;
  }
  if (keys.length === 0) {
    process.stderr.write(`no ${all ? '' : 'active '}API key in schema ${config.ACCESS_DB_SCHEMA}: the services are open (create one with npm run apikey:create -- --role writer)\n`);
    return;
  }
  const rows = keys.map((key) => [key.id, key.role, key.name ?? '-', key.createdAt.toISOString(), ...(all ? [key.revokedAt?.toISOString() ?? '-'] : [])]);
  const header = ['ID', 'ROLE', 'NAME', 'CREATED', ...(all ? ['REVOKED'] : [])];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
}

async function revoke(id: string): Promise<void> {
  const config = configOrExit();
  const { outcome, left } = await withStore(config, async (store) => ({ outcome: await store.revoke(id), left: (await store.active()).length }));
  if (outcome === 'unknown') throw new UsageError(`no API key has id ${id} in schema ${config.ACCESS_DB_SCHEMA} (npm run apikey:list -- --all lists them)`);
  process.stderr.write(
    outcome === 'already'
      ? `key ${id} was already revoked\n`
      : `✓ revoked key ${id}: every service refuses it within ACCESS_KEYS_REFRESH_MS (${config.ACCESS_KEYS_REFRESH_MS} ms)\n`,
  );
  if (left === 0) process.stderr.write('! no active key is left: the services are OPEN again (no key needed) until a key is created\n');
}

function program(): Command {
  const roles = ROLES.map((role) => `  ${role.padEnd(6)}  ${ROLE_DOCS[role]}`).join('\n');
  const cli = new Command('apikey')
    .description('Create, list and revoke the API keys of the Orderflow services (ACCESS_DB_SCHEMA in DATABASE_URL).')
    .addHelpText('after', `\nRoles:\n${roles}`)
    .showHelpAfterError('(add --help for usage)');
  cli
    .command('create')
    .description('Create a key and print it once on stdout; only the hash of its secret is stored.')
    .addOption(
      new Option('--role <role>', 'what the key may do; each role includes the ones before it')
        .choices(ROLES)
        .makeOptionMandatory(),
    )
    .option('--name <label>', 'a label saying whose key it is (shown by apikey:list)', keyName)
    .action((options: { role: Role; name?: string }) => create(options));
  cli
    .command('list')
    .description('List the keys: id, role, name, creation time; never a secret or hash.')
    .option('--all', 'include revoked keys', false)
    .option('--json', 'print JSON instead of a table', false)
    .action((options: { all: boolean; json: boolean }) => list(options));
  cli
    .command('revoke')
    .description('Revoke a key by its id; the services refuse it within ACCESS_KEYS_REFRESH_MS.')
    .argument('<keyId>', 'the key id (16 hex digits), as apikey:list shows it', keyId)
    .action((id: string) => revoke(id));
  return cli;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`✗ apikey: ${error instanceof UsageError ? message : `failed: ${message}`}\n`);
    process.exit(1);
  });
