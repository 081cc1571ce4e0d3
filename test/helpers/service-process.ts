import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../src/config';

const ROOT = join(__dirname, '..', '..');

export type ServiceName = 'cart-service' | 'order-service' | 'inventory-service' | 'notification-service';

/**
 * A service run as users run it (src/<service>/main.ts, through tsx) in a child process that a
 * test may kill: on the stack of `config`, with `env` on top (its schema, topics, port, ...).
 */
export function spawnService(service: ServiceName, config: Config, env: Record<string, string>, stdio: StdioOptions = ['ignore', 'ignore', 'inherit']): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join('src', service, 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_BROKERS: config.KAFKA_BROKERS, SCHEMA_REGISTRY_URL: config.SCHEMA_REGISTRY_URL, DATABASE_URL: config.DATABASE_URL, ...env },
    stdio,
  });
}
