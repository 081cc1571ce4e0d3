import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';

/** A stack failure with a message meant for a person: what failed and where to look. */
export class StackError extends Error {
  constructor(message: string, readonly logFile?: string) {
    super(logFile ? `${message}\n  see the log: ${logFile}` : message);
    this.name = 'StackError';
  }
}

export interface DetachedProcess {
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Starts a long-running process that outlives this script: its own process group (so
 * `stop` can end it with its children), output appended to its log, pid in its pid file.
 */
export function spawnDetached({ command, args, logFile, pidFile, env, cwd }: DetachedProcess): number {
  mkdirSync(dirname(logFile), { recursive: true });
  mkdirSync(dirname(pidFile), { recursive: true });
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new StackError(`could not start ${command}`, logFile);
    child.unref();
    // The start time lets a later run tell this process from another that reuses its pid.
    const startTime = procStat(child.pid)?.startTime;
    writeFileSync(pidFile, startTime === undefined ? `${child.pid}\n` : `${child.pid}\n${startTime}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * Linux only: a process's state letter and start time (clock ticks after boot) from
 * /proc/<pid>/stat; undefined when there is no such process or no /proc.
 */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; the fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, startTime] = [fields[0], fields[19]];
    return state === undefined || startTime === undefined ? undefined : { state, startTime };
  } catch {
    return undefined;
  }
}

/** A pid file: the pid on its first line and, when written on Linux, the process's start time on the second. */
function readPidFile(pidFile: string): { pid: number; startTime?: string } | undefined {
  if (!existsSync(pidFile)) return undefined;
  const [first = '', second = ''] = readFileSync(pidFile, 'utf8').split('\n').map((line) => line.trim());
  const pid = Number(first);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return second === '' ? { pid } : { pid, startTime: second };
}

export function readPid(pidFile: string): number | undefined {
  return readPidFile(pidFile)?.pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM means the process exists but belongs to another user: still alive.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie has ended; it only waits for its parent (often init) to collect its exit status.
  return procStat(pid)?.state !== 'Z';
}

/**
 * The pid recorded in `pidFile` when that process still runs; a stale file is removed. A
 * file left from before a reboot or a crash may name a pid that now belongs to some other
 * process: the recorded start time tells them apart, so that process is neither waited
 * for nor signalled.
 */
export function runningPid(pidFile: string): number | undefined {
  const recorded = readPidFile(pidFile);
  if (recorded !== undefined && isAlive(recorded.pid)) {
    const current = procStat(recorded.pid)?.startTime;
    if (recorded.startTime === undefined || current === undefined || current === recorded.startTime) return recorded.pid;
  }
  rmSync(pidFile, { force: true });
  return undefined;
}

/** SIGTERM to the process group, then SIGKILL when it has not ended within `graceMs`. */
export async function stopProcessGroup(pidFile: string, graceMs = 20_000): Promise<void> {
  const pid = runningPid(pidFile);
  if (pid === undefined) return;
  signalGroup(pid, 'SIGTERM');
  const ended = await pollUntil(() => !isAlive(pid), graceMs);
  if (!ended) {
    signalGroup(pid, 'SIGKILL');
    await pollUntil(() => !isAlive(pid), 5_000);
  }
  rmSync(pidFile, { force: true });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Polls `check` every `intervalMs` until it holds (true) or `timeoutMs` passes (false).
 * A check that throws a StackError ends the wait with that error.
 */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch (error) {
      // A StackError means waiting longer cannot help (the process died); anything else is "not yet".
      if (error instanceof StackError) throw error;
    }
    if (Date.now() >= deadline) return false;
    await new Promise((resolveSleep) => setTimeout(resolveSleep, intervalMs));
  }
}

/**
 * How long a part may take to become ready: its own `fallbackMs`, or the seconds in
 * ORDERFLOW_STACK_READY_TIMEOUT (a slow machine needs more; a test of the time-out less).
 */
export function readyTimeoutMs(fallbackMs: number): number {
  const raw = process.env.ORDERFLOW_STACK_READY_TIMEOUT;
  if (raw === undefined || raw.trim() === '') return fallbackMs;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new StackError(`ORDERFLOW_STACK_READY_TIMEOUT must be a number of seconds greater than 0, got '${raw}'`);
  }
  return Math.round(seconds * 1000);
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolveOpen(false);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

/** Fails with a clear message when a port the stack needs is taken by something else. */
export async function assertPortFree(port: number, component: string): Promise<void> {
  if (await isPortOpen(port)) {
    throw new StackError(
      `${component}: port ${port} is already in use by another process. ` +
        `Stop that process, or choose another port (see the README's configuration table).`,
    );
  }
}

/** Runs a command to completion; throws a StackError carrying its output when it fails. */
export function runOrFail(
  command: string,
  args: string[],
  what: string,
  options: SpawnSyncOptions = {},
): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new StackError(missing ? `${what}: '${command}' is not installed or not on PATH` : `${what}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const output = `${String(result.stdout ?? '')}${String(result.stderr ?? '')}`.trim().split('\n').slice(-30).join('\n');
    throw new StackError(`${what} failed (exit ${result.status ?? result.signal}):\n${output}`);
  }
  return String(result.stdout ?? '');
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}
