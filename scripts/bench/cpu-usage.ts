import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Where the CPU went during a measurement, in cores (1 = one core busy all the time). On a
 * 2-core machine the load generator, the servers and the stack all compete, so a figure means
 * little without this; another build or test run beside the bench shows up in `other`.
 */
export interface CpuSplit {
  /** The bench process: the load generator, mostly. */
  loadGenerator: number;
  /** The server processes under test, together. */
  servers: number;
  /** The same, each by its name. */
  byServer: Record<string, number>;
  stack: Record<StackPart, number>;
  /** The machine's busy time not accounted for above: other processes, and the kernel's interrupt work (loopback TCP, mostly). */
  other: number;
  /** Cores of the machine. */
  cores: number;
}

export type StackPart = 'Kafka' | 'PostgreSQL' | 'registry';

/** The stack's processes, recognised by their command lines; the first match wins. */
const STACK_PARTS: ReadonlyArray<{ part: StackPart; matches: (commandLine: string) => boolean }> = [
  { part: 'Kafka', matches: (commandLine) => commandLine.includes('kafka.Kafka') },
  // Apicurio (the local stack), Confluent's registry (Docker), Karapace.
  { part: 'registry', matches: (commandLine) => /quarkus-run\.jar|io\.confluent\.kafka\.schemaregistry|karapace/.test(commandLine) },
  // The postmaster (".../bin/postgres -D ...") and its backends ("postgres: orderflow ...").
  { part: 'PostgreSQL', matches: (commandLine) => /(^|\/)postgres(\s|:|$)/.test(commandLine) },
];

export interface CpuSnapshot {
  wallNs: bigint;
  benchMicros: number;
  /** Ticks of each server under test, by its name. */
  serverTicks: Map<string, number>;
  /** Ticks of each stack process by pid: a process started in between counts from zero, one that ended is lost to `other`. */
  stackTicks: Map<number, { part: StackPart; ticks: number }>;
  machineBusyTicks: number;
}

/** /proc times are in USER_HZ ticks; 100 on practically every Linux, asked of getconf to be sure. */
const TICKS_PER_SECOND = clockTicksPerSecond();

/** Reads the counters now; undefined where /proc is missing (not Linux), and the split is then not reported. */
export function takeCpuSnapshot(servers: ReadonlyArray<{ name: string; pid: number }>): CpuSnapshot | undefined {
  try {
    const { user, system } = process.cpuUsage();
    return {
      wallNs: process.hrtime.bigint(),
      benchMicros: user + system,
      serverTicks: new Map(servers.map(({ name, pid }) => [name, processTicks(pid)])),
      stackTicks: stackProcessTicks(new Set([process.pid, ...servers.map(({ pid }) => pid)])),
      machineBusyTicks: machineBusyTicks(),
    };
  } catch {
    return undefined;
  }
}

export function cpuSplitBetween(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined): CpuSplit | undefined {
  if (!before || !after) return undefined;
  const seconds = Number(after.wallNs - before.wallNs) / 1e9;
  const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
  const loadGenerator = (after.benchMicros - before.benchMicros) / 1e6 / seconds;
  const byServer = Object.fromEntries([...after.serverTicks].map(([name, ticks]) => [name, cores(ticks - (before.serverTicks.get(name) ?? 0))]));
  const servers = Object.values(byServer).reduce((sum, used) => sum + used, 0);
  const stack: Record<StackPart, number> = { Kafka: 0, PostgreSQL: 0, registry: 0 };
  for (const [pid, { part, ticks }] of after.stackTicks) stack[part] += cores(ticks - (before.stackTicks.get(pid)?.ticks ?? 0));
  const accounted = loadGenerator + servers + stack.Kafka + stack.PostgreSQL + stack.registry;
  const machine = cores(after.machineBusyTicks - before.machineBusyTicks);
  // The counters are read at slightly different moments and in different units, so `other` can dip below 0 by a hair.
  return { loadGenerator, servers, byServer, stack, other: Math.max(0, machine - accounted), cores: availableParallelism() };
}

function stackProcessTicks(excluded: Set<number>): Map<number, { part: StackPart; ticks: number }> {
  const found = new Map<number, { part: StackPart; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || excluded.has(pid)) continue;
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const part = STACK_PARTS.find(({ matches }) => matches(commandLine))?.part;
      if (part) found.set(pid, { part, ticks: processTicks(pid) });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** utime + stime of a process, all its threads included (fields 14 and 15 of /proc/<pid>/stat). */
function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Busy ticks of all CPUs from the `cpu` line of /proc/stat: user, nice, system and interrupt time.
 * Not idle or iowait, and not steal: that is the hypervisor running someone else, not work here.
 */
function machineBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user = 0, nice = 0, system = 0, _idle = 0, _iowait = 0, irq = 0, softirq = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq;
}

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}
