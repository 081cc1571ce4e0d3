import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, sep } from 'node:path';
import type { ComponentStatus, StackComponent } from './component';
import { DATA_DIR, LOG_DIR, RUN_DIR } from './paths';
import { STACK_PORTS } from './ports';
import { aptInstall } from './apt';
import { assertPortFree, isAlive, pollUntil, readyTimeoutMs, runOrFail, StackError } from './process';
import { CA_FILE, ensureServerCertificate } from './tls';

/** Credentials of the private cluster; `DATABASE_URL`'s default in src/config.ts matches them. */
export const POSTGRES_USER = 'orderflow';
export const POSTGRES_PASSWORD = 'orderflow';
export const POSTGRES_DATABASE = 'orderflow';

const DATA = join(DATA_DIR, 'postgres');
const SOCKET_DIR = join(RUN_DIR, 'postgres');
const LOG_FILE = join(LOG_DIR, 'postgres.log');
const PG_ROOT = '/usr/lib/postgresql';
const { postgres: port } = STACK_PORTS;

/**
 * PostgreSQL refuses to run as root. When the stack is started by root (CI containers),
 * the server runs as Debian's `postgres` user, which owns the private cluster's folders.
 */
const RUN_AS = userInfo().uid === 0 ? 'postgres' : undefined;

function binDir(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((version) => existsSync(join(PG_ROOT, version, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(PG_ROOT, versions[0], 'bin');
}

function pgBin(tool: string): string {
  const dir = binDir();
  if (dir === undefined) throw new StackError('postgres: the PostgreSQL server is not installed (run `npm run stack:up` to install it)');
  return join(dir, tool);
}

/** Runs a PostgreSQL tool as the cluster's owner. */
function asOwner(tool: string, args: string[], what: string): string {
  const [command, fullArgs] = RUN_AS ? ['runuser', ['-u', RUN_AS, '--', pgBin(tool), ...args]] : [pgBin(tool), args];
  return runOrFail(command, fullArgs, what);
}

function ownedDir(path: string): void {
  // Parents keep the default mode so the owner can reach `path`; only `path` itself is private.
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o700);
  if (RUN_AS) runOrFail('chown', ['-R', `${RUN_AS}:`, path], `postgres: giving ${path} to ${RUN_AS}`);
}

/**
 * As root, the server runs as `postgres`, which must be able to reach the stack's folders:
 * a stack home inside a private folder (for example /root, mode 700) would otherwise fail
 * in initdb with a bare "Permission denied".
 */
function assertOwnerCanReach(dirs: string[]): void {
  if (!RUN_AS) return;
  const canReach = (path: string) => spawnSync('runuser', ['-u', RUN_AS, '--', 'test', '-x', path], { stdio: 'ignore' }).status === 0;
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    if (canReach(dir)) continue;
    // Name the outermost folder that shuts it out, the one to fix.
    const parts = dir.split(sep);
    const blocking = parts.map((_, index) => parts.slice(0, index + 1).join(sep) || sep).find((path) => !canReach(path)) ?? dir;
    throw new StackError(
      `postgres: the server runs as the '${RUN_AS}' user, which cannot enter ${blocking} (needed for ${dir}). ` +
        `Let other users through it (chmod o+x ${blocking}), or point ORDERFLOW_STACK_HOME at a folder they can reach.`,
    );
  }
}

function initCluster(): void {
  if (existsSync(join(DATA, 'PG_VERSION'))) return;
  ownedDir(DATA);
  const passwordFile = join(RUN_DIR, 'postgres-initdb.pw');
  mkdirSync(RUN_DIR, { recursive: true });
  writeFileSync(passwordFile, POSTGRES_PASSWORD, { mode: 0o644 });
  try {
    asOwner(
      'initdb',
      ['-D', DATA, `--username=${POSTGRES_USER}`, `--pwfile=${passwordFile}`, '--auth-host=scram-sha-256', '--auth-local=trust', '--encoding=UTF8', '--locale=C'],
      'postgres: initdb of the private cluster',
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

const POSTMASTER_PID = join(DATA, 'postmaster.pid');

function isRunning(): boolean {
  if (!existsSync(join(DATA, 'PG_VERSION'))) return false;
  const [command, args] = RUN_AS
    ? ['runuser', ['-u', RUN_AS, '--', pgBin('pg_ctl'), 'status', '-D', DATA]]
    : [pgBin('pg_ctl'), ['status', '-D', DATA]];
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0 && !hasCrashed();
}

/** The pid on the first line of a PostgreSQL lock file (postmaster.pid, or a socket's .lock). */
function lockPid(lockFile: string): number | undefined {
  if (!existsSync(lockFile)) return undefined;
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function postmasterPid(): number | undefined {
  return lockPid(POSTMASTER_PID);
}

/**
 * A server killed outright (kill -9, the OOM killer) leaves its lock files behind, and until
 * its parent (often init) collects it, it lingers as a zombie that pg_ctl and PostgreSQL
 * take for a running server: `status` would call it "not ready", `stop` fail with "server
 * does not shut down", and a new server refuse to start.
 */
function hasCrashed(): boolean {
  const pid = postmasterPid();
  return pid !== undefined && !isAlive(pid);
}

/** Removes the lock files (the data folder's and the socket's) that name a server that has ended. */
function removeStaleLocks(): void {
  const socketLocks = existsSync(SOCKET_DIR) ? readdirSync(SOCKET_DIR).filter((file) => /^\.s\.PGSQL\.\d+\.lock$/.test(file)) : [];
  for (const lock of [POSTMASTER_PID, ...socketLocks.map((file) => join(SOCKET_DIR, file))]) {
    const pid = lockPid(lock);
    if (pid !== undefined && !isAlive(pid)) rmSync(lock, { force: true });
  }
}

async function ensureDatabase(): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ host: '127.0.0.1', port, user: POSTGRES_USER, password: POSTGRES_PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [POSTGRES_DATABASE]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${POSTGRES_DATABASE}`);
  } finally {
    await client.end();
  }
}

/** The server's current values of `names` (as new connections see them). */
async function serverSettings(names: string[]): Promise<Record<string, string>> {
  const { Client } = await import('pg');
  const client = new Client({ host: '127.0.0.1', port, user: POSTGRES_USER, password: POSTGRES_PASSWORD, database: 'postgres', connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_settings WHERE name = ANY($1)', [names]);
    return Object.fromEntries(rows.map(({ name, setting }) => [name, setting]));
  } finally {
    await client.end();
  }
}

/** For `up` and `status`: whether TLS is on, and where clients find the CA to check it with. */
async function tlsNote(): Promise<string> {
  const { ssl } = await serverSettings(['ssl']).catch(() => ({ ssl: undefined }));
  return ssl === 'on' ? `TLS on (plain too): DATABASE_SSL=verify-full with DATABASE_SSL_CA_FILE=${CA_FILE}` : 'TLS off: `npm run stack:up` turns it on';
}

/**
 * Turns TLS on with a certificate signed by the stack's CA (plain connections keep working:
 * pg_hba's `host` lines take both). ALTER SYSTEM and a reload rather than start-up options, so a
 * server already running — or a data folder made before TLS — gets it without a restart.
 */
async function ensureTls(): Promise<void> {
  const { certFile, keyFile } = ensureServerCertificate('postgres');
  // The server refuses a key that others can read, or one it does not own (as root it runs as RUN_AS).
  if (RUN_AS) runOrFail('chown', [`${RUN_AS}:`, keyFile], 'postgres: giving the TLS key to the server user');
  const wanted: Record<string, string> = { ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile };
  const current = () => serverSettings(Object.keys(wanted));
  const applied = (settings: Record<string, string>) => Object.entries(wanted).every(([name, value]) => settings[name] === value);
  if (applied(await current())) return;
  const { Client } = await import('pg');
  const client = new Client({ host: '127.0.0.1', port, user: POSTGRES_USER, password: POSTGRES_PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    // ALTER SYSTEM takes no parameters; the values are the stack's own paths, quoted as literals.
    for (const [name, value] of Object.entries(wanted)) await client.query(`ALTER SYSTEM SET ${name} = ${client.escapeLiteral(value)}`);
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
  // The reload is asynchronous, and a certificate the server cannot load leaves TLS off (with the reason in its log).
  if (!(await pollUntil(async () => applied(await current()), 10_000))) {
    throw new StackError(`postgres: TLS did not come on with ${certFile}`, LOG_FILE);
  }
}

async function isReady(): Promise<boolean> {
  const { Client } = await import('pg');
  const client = new Client({ host: '127.0.0.1', port, user: POSTGRES_USER, password: POSTGRES_PASSWORD, database: POSTGRES_DATABASE, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const postgres: StackComponent = {
  name: 'postgres',
  logFile: LOG_FILE,

  async install() {
    if (binDir() === undefined) aptInstall(['postgresql'], 'postgres');
    if (binDir() === undefined) throw new StackError(`postgres: apt-get finished but no server was found under ${PG_ROOT}`);
  },

  async start() {
    if (!isRunning()) {
      removeStaleLocks();
      await assertPortFree(port, 'postgres');
      assertOwnerCanReach([DATA_DIR, RUN_DIR, LOG_DIR]);
      initCluster();
      ownedDir(SOCKET_DIR);
      mkdirSync(LOG_DIR, { recursive: true });
      writeFileSync(LOG_FILE, '', { flag: 'a' });
      if (RUN_AS) runOrFail('chown', [`${RUN_AS}:`, LOG_FILE], 'postgres: log file owner');
      const timeoutSeconds = String(Math.ceil(readyTimeoutMs(60_000) / 1000));
      const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${SOCKET_DIR} -c max_connections=200`;
      try {
        asOwner('pg_ctl', ['start', '-D', DATA, '-l', LOG_FILE, '-w', '-t', timeoutSeconds, '-o', serverOptions], 'postgres: pg_ctl start');
      } catch (error) {
        throw new StackError((error as Error).message, LOG_FILE);
      }
    }
    await ensureDatabase().catch((error: unknown) => {
      throw new StackError(`postgres: the server runs but the database '${POSTGRES_DATABASE}' is not reachable: ${(error as Error).message}`, LOG_FILE);
    });
    await ensureTls();
  },

  async stop() {
    if (isRunning()) asOwner('pg_ctl', ['stop', '-D', DATA, '-m', 'fast', '-w', '-t', '60'], 'postgres: pg_ctl stop');
  },

  async status(): Promise<ComponentStatus> {
    const running = isRunning();
    const ready = running && (await isReady());
    return {
      running,
      ready,
      pid: running ? postmasterPid() : undefined,
      detail: `postgres://${POSTGRES_USER}@127.0.0.1:${port}/${POSTGRES_DATABASE}`,
      notes: ready ? [await tlsNote()] : [],
    };
  },
};
