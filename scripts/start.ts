/**
 * `npm start`: brings up the local stack unless external endpoints are configured, applies
 * the database migrations, then runs the services in the foreground until Ctrl-C.
 * `npm start -- --instances cart-service=2,order-service=3` runs several of some services.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, usesLocalStack, type Config } from '../src/config';
import { parseInstanceCounts, planInstances, type Instance } from './instances';
import { kafkaBootstrap } from './stack/kafka-nodes';
import { REPO_ROOT } from './stack/paths';
import { PROMETHEUS_TARGETS_DIR, SCRAPED_BY_DEFAULT } from './stack/prometheus';

/**
 * Node with tsx's loader, not tsx's own CLI: the CLI stands between the signal and the service and,
 * when a busy service does not answer a relayed SIGTERM within 30 ms, kills it with SIGKILL.
 */
const NODE_WITH_TSX = [process.execPath, '--import', 'tsx'] as const;
/** The local Prometheus scrapes the extra instances from this file while they run. */
const INSTANCE_TARGETS = join(PROMETHEUS_TARGETS_DIR, 'npm-start-instances.json');

function runStep(what: string, args: string[], env: NodeJS.ProcessEnv): void {
  console.log(`\n▸ ${what}`);
  const { status } = spawnSync(NODE_WITH_TSX[0], [...NODE_WITH_TSX.slice(1), ...args], { stdio: 'inherit', cwd: REPO_ROOT, env });
  if (status !== 0) {
    console.error(`\n✗ ${what} failed; nothing else was started.`);
    process.exit(status ?? 1);
  }
}

function readOptions(): { instances: Instance[]; config: Config } {
  const program = new Command()
    .name('npm start --')
    .option('--instances <counts>', 'how many processes of some services to run, such as cart-service=2,order-service=3 (the others run one)', (value) => {
      try {
        return parseInstanceCounts(value);
      } catch (error) {
        throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
      }
    })
    .parse();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`✗ ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  try {
    return { config, instances: planInstances(config, program.opts<{ instances?: ReturnType<typeof parseInstanceCounts> }>().instances ?? new Map()) };
  } catch (error) {
    console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

/** Lets the local Prometheus scrape every instance on a port it does not scrape by default. */
function registerExtraInstances(instances: Instance[]): void {
  const extra = instances.filter((instance) => !SCRAPED_BY_DEFAULT.has(instance.port));
  if (extra.length === 0) return;
  mkdirSync(PROMETHEUS_TARGETS_DIR, { recursive: true });
  writeFileSync(INSTANCE_TARGETS, JSON.stringify(extra.map(({ service, port }) => ({ targets: [`127.0.0.1:${port}`], labels: { job: service } })), null, 2));
}

function main(): void {
  const { instances } = readOptions();
  const local = usesLocalStack();
  if (local) runStep('starting the local stack (Kafka, schema registry, PostgreSQL)', ['scripts/stack/cli.ts', 'up'], process.env);
  else console.log('▸ KAFKA_BROKERS / SCHEMA_REGISTRY_URL / DATABASE_URL are set: using those, not the local stack');
  // Every node of a local cluster, so the services keep their bootstrap when one node is down.
  const env: NodeJS.ProcessEnv = local ? { ...process.env, KAFKA_BROKERS: kafkaBootstrap() } : process.env;
  runStep('applying database migrations', ['scripts/db-migrate.ts'], env);
  runStep('stocking the catalogue of generated orders', ['scripts/seed-stock.ts'], env);
  if (local) registerExtraInstances(instances);

  const children: ChildProcess[] = instances.map((instance) =>
    spawn(NODE_WITH_TSX[0], [...NODE_WITH_TSX.slice(1), join('src', instance.service, 'main.ts')], { stdio: 'inherit', cwd: REPO_ROOT, env: { ...env, ...instance.env } }),
  );
  console.log(`\n▸ running ${instances.map(({ service, port }) => `${service} on :${port}`).join(', ')}`);
  console.log('  (Ctrl-C stops them; the stack keeps running until npm run stack:down)');

  let remaining = children.length;
  for (const [index, child] of children.entries()) {
    const { service, port } = instances[index]!;
    child.on('exit', (code, signal) => {
      remaining -= 1;
      if (code !== 0) console.error(`✗ ${service} on :${port} ended ${code === null ? `by ${signal}` : `with exit code ${code}`}`);
      if (code !== 0 && code !== null) process.exitCode = code;
      if (remaining === 0) {
        if (local) rmSync(INSTANCE_TARGETS, { force: true });
        process.exit();
      }
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => children.forEach((child) => child.kill('SIGTERM')));
  }
}

main();
