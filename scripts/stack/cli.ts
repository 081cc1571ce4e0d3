/**
 * The local stack: `up`, `down` and `status` for Kafka (KRaft), the schema registry,
 * PostgreSQL and Prometheus on loopback.
 * Usage: tsx scripts/stack/cli.ts <up|down|status> [component...] [--brokers <1|3|4|5>]
 */
import type { StackComponent } from './component';
import { createKafkaComponent } from './kafka';
import { KAFKA_NODE_COUNTS, parseNodeCount } from './kafka-nodes';
import { postgres } from './postgres';
import { prometheus } from './prometheus';
import { StackError } from './process';
import { registry } from './registry';

const NAMES = [postgres.name, 'kafka', registry.name, prometheus.name];
const USAGE = `usage: stack <up|down|status> [${NAMES.join('|')} ...] [--brokers <${KAFKA_NODE_COUNTS.join('|')}>]`;

/** Start order: the registry keeps its schemas in Kafka, so Kafka comes first. */
function components(brokers: number | undefined): StackComponent[] {
  return [postgres, createKafkaComponent(brokers), registry, prometheus];
}

function select(all: StackComponent[], names: string[]): StackComponent[] {
  if (names.length === 0) return all;
  return names.map((name) => {
    const component = all.find((candidate) => candidate.name === name);
    if (!component) throw new StackError(`unknown component '${name}'; choose from ${NAMES.join(', ')}\n${USAGE}`);
    return component;
  });
}

/** Splits `--brokers N` (or `--brokers=N`) from the component names. */
function parseArguments(args: string[]): { names: string[]; brokers?: number } {
  const names: string[] = [];
  let brokers: number | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--brokers' || arg.startsWith('--brokers=')) {
      const value = arg === '--brokers' ? args[(index += 1)] : arg.slice('--brokers='.length);
      if (value === undefined) throw new StackError(`--brokers needs a number of Kafka nodes\n${USAGE}`);
      brokers = parseNodeCount(value);
    } else if (arg.startsWith('-')) {
      throw new StackError(`unknown option '${arg}'\n${USAGE}`);
    } else {
      names.push(arg);
    }
  }
  return { names, brokers };
}

/** A component's further lines, indented under its own. */
function printNotes(notes: string[]): void {
  for (const note of notes) console.log(`  ${''.padEnd(11)} ${note}`);
}

async function up(components: StackComponent[]): Promise<void> {
  for (const component of components) {
    const started = Date.now();
    await component.install();
    await component.start();
    const { detail, notes = [] } = await component.status();
    console.log(`  ${component.name.padEnd(11)} ready   ${detail}  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    printNotes(notes);
  }
}

async function down(components: StackComponent[]): Promise<void> {
  for (const component of [...components].reverse()) {
    await component.stop();
    console.log(`  ${component.name.padEnd(11)} stopped`);
  }
}

/** Prints one line per component; exits non-zero when any is not ready. */
async function status(components: StackComponent[]): Promise<boolean> {
  let allReady = true;
  for (const component of components) {
    const { running, ready, pid, detail, notes = [] } = await component.status();
    allReady &&= ready;
    const state = ready ? 'ready' : running ? 'NOT READY' : 'stopped';
    console.log(`  ${component.name.padEnd(11)} ${state.padEnd(11)} ${detail}${pid ? `  pid ${pid}` : ''}${ready ? '' : `  log: ${component.logFile}`}`);
    printNotes(notes);
  }
  return allReady;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { names, brokers } = parseArguments(rest);
  if (brokers !== undefined && command !== 'up') throw new StackError(`--brokers is an option of up only\n${USAGE}`);
  const selected = select(components(brokers), names);
  switch (command) {
    case 'up':
      console.log('orderflow stack: starting');
      return up(selected);
    case 'down':
      console.log('orderflow stack: stopping');
      return down(selected);
    case 'status':
      console.log('orderflow stack:');
      if (!(await status(selected))) process.exitCode = 1;
      return;
    default:
      throw new StackError(USAGE);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof StackError ? `\n✗ ${error.message}` : error);
  process.exit(1);
});
