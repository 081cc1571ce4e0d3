import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ComponentStatus, StackComponent } from './component';
import { DATA_DIR, LOG_DIR, RUN_DIR } from './paths';
import { STACK_PORTS } from './ports';
import { aptInstall } from './apt';
import { assertPortFree, runOrFail, StackError } from './process';

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

function isRunning(): boolean {
  if (!existsSync(join(DATA, 'PG_VERSION'))) return false;
  const [command, args] = RUN_AS
    ? ['runuser', ['-u', RUN_AS, '--', pgBin('pg_ctl'), 'status', '-D', DATA]]
    : [pgBin('pg_ctl'), ['status', '-D', DATA]];
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function postmasterPid(): number | undefined {
  const pidFile = join(DATA, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) ? pid : undefined;
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
      await assertPortFree(port, 'postgres');
      initCluster();
      ownedDir(SOCKET_DIR);
      mkdirSync(LOG_DIR, { recursive: true });
      writeFileSync(LOG_FILE, '', { flag: 'a' });
      if (RUN_AS) runOrFail('chown', [`${RUN_AS}:`, LOG_FILE], 'postgres: log file owner');
      const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${SOCKET_DIR} -c max_connections=200`;
      try {
        asOwner('pg_ctl', ['start', '-D', DATA, '-l', LOG_FILE, '-w', '-t', '60', '-o', serverOptions], 'postgres: pg_ctl start');
      } catch (error) {
        throw new StackError((error as Error).message, LOG_FILE);
      }
    }
    await ensureDatabase().catch((error: unknown) => {
      throw new StackError(`postgres: the server runs but the database '${POSTGRES_DATABASE}' is not reachable: ${(error as Error).message}`, LOG_FILE);
    });
  },

  async stop() {
    if (isRunning()) asOwner('pg_ctl', ['stop', '-D', DATA, '-m', 'fast', '-w', '-t', '60'], 'postgres: pg_ctl stop');
  },

  async status(): Promise<ComponentStatus> {
    const running = isRunning();
    const ready = running && (await isReady());
    return { running, ready, pid: running ? postmasterPid() : undefined, detail: `postgres://${POSTGRES_USER}@127.0.0.1:${port}/${POSTGRES_DATABASE}` };
  },
};
