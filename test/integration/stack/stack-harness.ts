/**
 * Runs `scripts/stack/cli.ts` as a child process against a throw-away stack: its own home
 * (ORDERFLOW_STACK_HOME in a temporary folder) and its own random ports, so the shared
 * stack on the default ports is never touched. Only the download cache is shared (through
 * a symlink), so nothing is fetched again.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KAFKA_NODE_COUNTS, KAFKA_NODE_PORT_STEP } from '../../../scripts/stack/kafka-nodes';
import { CACHE_DIR, REPO_ROOT } from '../../../scripts/stack/paths';

const CLI = join(REPO_ROOT, 'scripts', 'stack', 'cli.ts');
/** tsx's own entry point, run with this very node: no PATH lookup, so PATH can be anything. */
const TSX_CLI = require.resolve('tsx/cli');

export type Part = 'postgres' | 'kafka' | 'registry' | 'prometheus';

export interface StackPorts {
  kafka: number;
  kafkaController: number;
  kafkaSaslSsl: number;
  registry: number;
  postgres: number;
  prometheus: number;
}

export interface CliResult {
  /** Exit code; null when the run was killed for taking too long. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for messages that may be on either. */
  output: string;
  seconds: number;
  timedOut: boolean;
}

export interface RunOptions {
  /** Extra variables; `undefined` removes one from the inherited environment. */
  env?: Record<string, string | undefined>;
  /** The run is killed (and reported as timed out) after this long: a hang fails the test instead of blocking it. */
  timeoutMs?: number;
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

/** The ports a stack port stands for: itself and, for Kafka, those of a cluster's further nodes. */
const NODE_OFFSETS = Array.from({ length: Math.max(...KAFKA_NODE_COUNTS) }, (_, index) => index * KAFKA_NODE_PORT_STEP);

/**
 * Six distinct free ports between 20000 and 32000: above the defaults of the shared stack
 * and below Linux's ephemeral range, where outgoing connections would pick theirs. Each is
 * free with the ports a Kafka cluster's further nodes would take above it.
 */
async function freePorts(): Promise<StackPorts> {
  const chosen: number[] = [];
  const taken = new Set<number>();
  while (chosen.length < 6) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const family = NODE_OFFSETS.map((offset) => port + offset);
    if (family.some((candidate) => taken.has(candidate))) continue;
    if (!(await Promise.all(family.map(isPortFree))).every(Boolean)) continue;
    chosen.push(port);
    family.forEach((candidate) => taken.add(candidate));
  }
  const [kafka = 0, kafkaController = 0, registry = 0, postgres = 0, prometheus = 0, kafkaSaslSsl = 0] = chosen;
  return { kafka, kafkaController, kafkaSaslSsl, registry, postgres, prometheus };
}

/** Listens on 127.0.0.1:`port` (accepting and ignoring connections) until closed. */
export function occupyPort(port: number): Promise<Server> {
  return new Promise((resolveServer, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveServer(server));
  });
}

export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolveClosed) => (server ? server.close(() => resolveClosed()) : resolveClosed()));
}

/** One line of the process table. */
interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

function readStat(pid: number): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state = '', ppid = '', pgid = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(ppid), pgid: Number(pgid), state };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** True when no such process exists any more (a zombie has ended too: it only awaits its parent). */
export function isGone(pid: number): boolean {
  const entry = readStat(pid);
  return entry === undefined || entry.state === 'Z';
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Live processes whose command line contains `text` (this test process excluded). */
export function processesMentioning(text: string): number[] {
  return allPids().filter((pid) => pid !== process.pid && !isGone(pid) && commandLine(pid).includes(text));
}

/** `root`, every live process descended from it, and every member of its process group. */
export function processFamily(root: number): number[] {
  const table = allPids()
    .map(readStat)
    .filter((entry): entry is ProcessEntry => entry !== undefined && entry.state !== 'Z');
  const family = new Set<number>([root]);
  for (const entry of table) if (entry.pgid === root) family.add(entry.pid);
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of table) {
      if (family.has(entry.ppid) && !family.has(entry.pid)) {
        family.add(entry.pid);
        grew = true;
      }
    }
  }
  return [...family];
}

/** The pid of a process that has just exited: what a pid file left by a crash names. */
export function pidOfExitedProcess(): number {
  const result = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(result.stdout).trim());
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** A stack home of its own, on ports of its own. */
export class TestStack {
  private constructor(
    readonly home: string,
    readonly ports: StackPorts,
  ) {}

  static async create(): Promise<TestStack> {
    const home = mkdtempSync(join(tmpdir(), 'orderflow-stack-test-'));
    // mkdtemp makes it 700; as root, PostgreSQL runs as the `postgres` user, which must get in.
    chmodSync(home, 0o755);
    mkdirSync(CACHE_DIR, { recursive: true });
    symlinkSync(CACHE_DIR, join(home, 'cache'));
    return new TestStack(home, await freePorts());
  }

  get runDir(): string {
    return join(this.home, 'run');
  }

  pidFile(part: Exclude<Part, 'postgres'>): string {
    return join(this.runDir, `${part}.pid`);
  }

  /** The pid a cluster's node `id` runs as (node 1 keeps Kafka's own pid file). */
  kafkaNodePid(id: number): number | undefined {
    const file = join(this.runDir, id === 1 ? 'kafka.pid' : `kafka-node-${id}.pid`);
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
  }

  /** The bootstrap list of this stack's `nodes`-node Kafka. */
  kafkaBootstrap(nodes: number): string {
    return NODE_OFFSETS.slice(0, nodes)
      .map((offset) => `127.0.0.1:${this.ports.kafka + offset}`)
      .join(',');
  }

  logFile(part: Part): string {
    return join(this.home, 'logs', `${part}.log`);
  }

  /** The pid a pid file records (its first line), when the file exists. */
  recordedPid(part: Exclude<Part, 'postgres'>): number | undefined {
    const file = this.pidFile(part);
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
  }

  /** PostgreSQL's postmaster, from the cluster's own postmaster.pid. */
  postmasterPid(): number | undefined {
    const file = join(this.home, 'data', 'postgres', 'postmaster.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
  }

  /** Pid files the stack scripts left in run/. */
  pidFiles(): string[] {
    return existsSync(this.runDir) ? readdirSync(this.runDir).filter((name) => name.endsWith('.pid')) : [];
  }

  env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      // Nothing of the caller's stack configuration leaks in.
      if (!key.startsWith('ORDERFLOW_')) env[key] = value;
    }
    Object.assign(env, {
      ORDERFLOW_STACK_HOME: this.home,
      ORDERFLOW_KAFKA_PORT: String(this.ports.kafka),
      ORDERFLOW_KAFKA_CONTROLLER_PORT: String(this.ports.kafkaController),
      ORDERFLOW_KAFKA_SASL_SSL_PORT: String(this.ports.kafkaSaslSsl),
      ORDERFLOW_REGISTRY_PORT: String(this.ports.registry),
      ORDERFLOW_POSTGRES_PORT: String(this.ports.postgres),
      ORDERFLOW_PROMETHEUS_PORT: String(this.ports.prometheus),
    });
    for (const [key, value] of Object.entries(overrides)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    return env;
  }

  /** `tsx scripts/stack/cli.ts ...args` for this stack. */
  run(args: string[], { env, timeoutMs = 120_000 }: RunOptions = {}): Promise<CliResult> {
    const started = Date.now();
    return new Promise((resolveRun, reject) => {
      // Its own process group, so a run that hangs is killed with tsx's node child.
      const child = spawn(process.execPath, [TSX_CLI, CLI, ...args], { cwd: REPO_ROOT, env: this.env(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += String(chunk);
        output += String(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += String(chunk);
        output += String(chunk);
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) kill(-child.pid, 'SIGKILL');
      }, timeoutMs);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolveRun({ code: timedOut ? null : code, stdout, stderr, output, seconds: (Date.now() - started) / 1000, timedOut });
      });
    });
  }

  /**
   * A directory holding a stand-in `name` (java or prometheus) that records its pid in
   * fake-pids and then fails at once (`exit`) or never gets ready (`hang`). It answers the
   * probes that run before the real start: Java's version and Kafka's storage format.
   */
  fakeBin(name: 'java' | 'prometheus', mode: 'exit' | 'hang'): string {
    const dir = join(this.home, `fake-bin-${mode}`);
    mkdirSync(dir, { recursive: true });
    const script = [
      '#!/bin/sh',
      'case "$*" in',
      "  *-XshowSettings*) echo '    java.specification.version = 21' >&2; exit 0 ;;",
      '  *StorageTool*) exit 0 ;;',
      'esac',
      `echo $$ >> '${this.fakePidsFile}'`,
      `echo 'fake ${name}: ${mode === 'exit' ? 'failing on purpose' : 'never getting ready'}'`,
      mode === 'exit' ? 'exit 3' : 'exec sleep 300',
      '',
    ].join('\n');
    writeFileSync(join(dir, name), script, { mode: 0o755 });
    return dir;
  }

  private get fakePidsFile(): string {
    return join(this.home, 'fake-pids');
  }

  /** Pids the stand-ins recorded. */
  fakePids(): number[] {
    if (!existsSync(this.fakePidsFile)) return [];
    return readFileSync(this.fakePidsFile, 'utf8').split('\n').filter(Boolean).map(Number);
  }

  /**
   * A PATH like this one in which no `java` can be found: every other command is still
   * there (linked into one folder), as on a machine without Java.
   */
  pathWithout(command: string): string {
    const dir = join(this.home, `path-without-${command}`);
    mkdirSync(dir, { recursive: true });
    const linked = new Set<string>([command]);
    for (const source of (process.env.PATH ?? '').split(delimiter)) {
      if (source === '' || !existsSync(source)) continue;
      let entries: string[];
      try {
        entries = readdirSync(source);
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (linked.has(entry)) continue;
        linked.add(entry);
        symlinkSync(join(source, entry), join(dir, entry));
      }
    }
    return dir;
  }

  /**
   * Stops whatever this stack may still run (`down`, then, as a safety net, SIGKILL to any
   * process left that names the home or that a stand-in recorded) and removes the home.
   */
  async destroy(): Promise<void> {
    if (this.pidFiles().length > 0 || this.postmasterPid() !== undefined || processesMentioning(this.home).length > 0) {
      await this.run(['down'], { timeoutMs: 90_000 }).catch(() => undefined);
    }
    for (const pid of processesMentioning(this.home)) kill(pid, 'SIGKILL');
    // A stand-in that hangs has exec'd `sleep`; a pid since taken by anything else is left alone.
    for (const pid of this.fakePids()) if (!isGone(pid) && commandLine(pid).startsWith('sleep')) kill(pid, 'SIGKILL');
    rmSync(this.home, { recursive: true, force: true });
  }
}
