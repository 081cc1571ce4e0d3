/**
 * `npm start`: brings up the local stack unless external endpoints are configured, applies
 * the database migrations, then runs the services in the foreground until Ctrl-C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig, usesLocalStack } from '../src/config';
import { REPO_ROOT } from './stack/paths';

const SERVICES = ['cart-service', 'order-service', 'inventory-service', 'notification-service'] as const;
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

function runStep(what: string, args: string[]): void {
  console.log(`\n▸ ${what}`);
  const { status } = spawnSync(TSX, args, { stdio: 'inherit', cwd: REPO_ROOT });
  if (status !== 0) {
    console.error(`\n✗ ${what} failed; nothing else was started.`);
    process.exit(status ?? 1);
  }
}

function main(): void {
  try {
    loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`✗ ${error.message}`);
      process.exit(1);
    }
    throw error;
  }

  if (usesLocalStack()) runStep('starting the local stack (Kafka, schema registry, PostgreSQL)', ['scripts/stack/cli.ts', 'up']);
  else console.log('▸ KAFKA_BROKERS / SCHEMA_REGISTRY_URL / DATABASE_URL are set: using those, not the local stack');
  runStep('applying database migrations', ['scripts/db-migrate.ts']);
  runStep('stocking the catalogue of generated orders', ['scripts/seed-stock.ts']);

  const entries = SERVICES.map((service) => join('src', service, 'main.ts'));
  const children: ChildProcess[] = entries.map((entry) => spawn(TSX, [entry], { stdio: 'inherit', cwd: REPO_ROOT }));
  console.log(`\n▸ running ${entries.join(', ')} (Ctrl-C stops them; the stack keeps running until npm run stack:down)`);

  let remaining = children.length;
  for (const child of children) {
    child.on('exit', (code) => {
      remaining -= 1;
      if (code !== 0 && code !== null) process.exitCode = code;
      if (remaining === 0) process.exit();
    });
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => children.forEach((child) => child.kill('SIGTERM')));
  }
}

main();
