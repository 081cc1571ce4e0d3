/**
 * The local stack: `up`, `down` and `status` for Kafka (KRaft), the schema registry,
 * PostgreSQL and Prometheus on loopback. Usage: tsx scripts/stack/cli.ts <up|down|status> [component...]
 */
import type { StackComponent } from './component';
import { kafka } from './kafka';
import { postgres } from './postgres';
import { prometheus } from './prometheus';
import { StackError } from './process';
import { registry } from './registry';

/** Start order: the registry keeps its schemas in Kafka, so Kafka comes first. */
const COMPONENTS: readonly StackComponent[] = [postgres, kafka, registry, prometheus];

const USAGE = `usage: stack <up|down|status> [${COMPONENTS.map((c) => c.name).join('|')} ...]`;

function select(names: string[]): StackComponent[] {
  if (names.length === 0) return [...COMPONENTS];
  return names.map((name) => {
    const component = COMPONENTS.find((candidate) => candidate.name === name);
    if (!component) throw new StackError(`unknown component '${name}'; choose from ${COMPONENTS.map((c) => c.name).join(', ')}\n${USAGE}`);
    return component;
  });
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
  const [command, ...names] = process.argv.slice(2);
  const components = select(names);
  switch (command) {
    case 'up':
      console.log('orderflow stack: starting');
      return up(components);
    case 'down':
      console.log('orderflow stack: stopping');
      return down(components);
    case 'status':
      console.log('orderflow stack:');
      if (!(await status(components))) process.exitCode = 1;
      return;
    default:
      throw new StackError(USAGE);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof StackError ? `\n✗ ${error.message}` : error);
  process.exit(1);
});
