import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpRequest } from './http-request';

/** The repository root: servers start from it, as npm scripts do, so `--import tsx` and entry paths resolve. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Log lines kept per server, printed when it fails. */
const LOG_TAIL_LINES = 30;
/** Longest wait for a server's first answer; the cart connects to Kafka, the registry and PostgreSQL first. */
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;
/** How long a graceful stop (finishing requests, flushing producers) may take before the server is killed. */
const STOP_GRACE_MS = 20_000;

export interface ServerSpec {
  /** Names the server in progress lines and errors. */
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  port: number;
  /** Added to the bench's own environment. */
  env: Record<string, string>;
  /** When set, the server writes V8 CPU profiles (`--cpu-prof`) into a subfolder of this folder named after it, as it exits. */
  cpuProfileDir?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  name: string;
  pid: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  /** Settles (never rejects) when the process has exited. */
  exited: Promise<ExitInfo>;
  /** Its last log lines, stdout and stderr interleaved. */
  logTail(): string[];
  /** Lines it has logged so far; the servers run at LOG_LEVEL=warn, so any line is worth a look. */
  logLineCount(): number;
  /** SIGTERM, then waits for the exit; SIGKILL when the graceful stop takes too long. Idempotent. */
  stop(): Promise<void>;
}

/** A server that did not start, or died while it was measured; the message ends with its last log lines. */
export class ServerFailure extends Error {
  constructor(server: string, reason: string, logTail: string[]) {
    const tail = logTail.length > 0 ? `\n--- last ${logTail.length} log lines of ${server} ---\n${logTail.join('\n')}` : ` (${server} logged nothing)`;
    super(`${server} ${reason}${tail}`);
    this.name = 'ServerFailure';
  }
}

const running = new Set<ServerProcess>();

// Whatever ends the bench (an uncaught error, process.exit, a second Ctrl-C), no server outlives it.
process.on('exit', () => {
  for (const server of running) signalGroup(server.pid, 'SIGKILL');
});

/**
 * Starts `spec.entry` in its own process (`node --import tsx`, so the load generator never shares
 * an event loop with it) and resolves once it answers GET /health. Throws a ServerFailure, with
 * the server's last log lines, when it exits or stays silent instead.
 */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  // detached: its own process group, so a Ctrl-C reaches the bench alone and the bench decides
  // the order of stopping, and a group signal also reaches anything the server spawned.
  // One subfolder per server: each thread (the main one, tsx's loader) writes a profile named by pid and thread.
  const profiling = spec.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', join(spec.cpuProfileDir, spec.name.replace(/\W+/g, '-'))];
  const child = spawn(process.execPath, [...profiling, '--import', 'tsx', spec.entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const server = trackServer(spec, child);
  try {
    await waitUntilAnswering(server, () => exitOf(child));
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Stops every server still running (an interrupted or failed run). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/**
 * `work`, unless one of `servers` exits first: then a ServerFailure naming it, so a server that
 * crashes under load ends the run instead of being measured as a wall of connection errors.
 */
export function whileServersRun<T>(servers: ServerProcess[], work: Promise<T>): Promise<T> {
  // Promise.race handles the rejections of every input, also of those settling after it did.
  const crashes = servers.map((server) =>
    server.exited.then((exit) => {
      throw new ServerFailure(server.name, `exited while it was measured (${describeExit(exit)})`, server.logTail());
    }),
  );
  return Promise.race([work, ...crashes]);
}

function trackServer(spec: ServerSpec, child: ChildProcess): ServerProcess {
  const { pid } = child;
  if (pid === undefined) throw new ServerFailure(spec.name, `could not be spawned (node --import tsx ${spec.entry})`, []);
  const log = collectLog(child);
  const exited = new Promise<ExitInfo>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  let stopping: Promise<void> | undefined;
  const server: ServerProcess = {
    name: spec.name,
    pid,
    url: (path) => `http://127.0.0.1:${spec.port}${path}`,
    exited,
    logTail: () => [...log.tail],
    logLineCount: () => log.count,
    stop() {
      stopping ??= stopGracefully(server, () => exitOf(child)).finally(() => running.delete(server));
      return stopping;
    },
  };
  running.add(server);
  return server;
}

function collectLog(child: ChildProcess): { tail: string[]; count: number } {
  const log = { tail: [] as string[], count: 0 };
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      log.count += 1;
      log.tail.push(line);
      if (log.tail.length > LOG_TAIL_LINES) log.tail.shift();
    });
  }
  return log;
}

function exitOf(child: ChildProcess): ExitInfo | undefined {
  return child.exitCode === null && child.signalCode === null ? undefined : { code: child.exitCode, signal: child.signalCode };
}

async function waitUntilAnswering(server: ServerProcess, exit: () => ExitInfo | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const exitInfo = exit();
    if (exitInfo) throw new ServerFailure(server.name, `exited before answering (${describeExit(exitInfo)})`, server.logTail());
    if (Date.now() > deadline) throw new ServerFailure(server.name, `did not answer GET /health within ${READY_TIMEOUT_MS / 1000} s`, server.logTail());
    const status = await httpRequest(server.url('/health'), { timeoutMs: 1_000 }).catch(() => 0);
    if (status === 200) return;
    await sleep(READY_POLL_MS);
  }
}

async function stopGracefully(server: ServerProcess, exit: () => ExitInfo | undefined): Promise<void> {
  if (exit()) return;
  signalGroup(server.pid, 'SIGTERM');
  const graceful = await Promise.race([server.exited, sleep(STOP_GRACE_MS).then(() => undefined)]);
  if (graceful === undefined) {
    console.error(`! ${server.name} did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM; killing it`);
    signalGroup(server.pid, 'SIGKILL');
    await server.exited;
  } else if (graceful.signal === null && graceful.code !== 0) {
    // (Killed by the SIGTERM itself means it was stopped before it had installed its handler: fine.)
    console.error(`! ${server.name} stopped badly (${describeExit(graceful)}); its last log lines:\n${server.logTail().join('\n')}`);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already, which is what we wanted.
  }
}

function describeExit({ code, signal }: ExitInfo): string {
  return signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
}
