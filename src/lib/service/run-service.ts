import { ConfigError, loadConfig, type Config } from '../../config';
import { createLogger } from '../../logger';

export interface RunServiceOptions {
  /** Names the service in its log lines. */
  name: string;
  /** What a graceful stop does, for the log line written when it begins. */
  stopping: string;
  start(config: Config): Promise<{ stop(): Promise<void> }>;
}

/**
 * A service's entry point: validated configuration, start, and a graceful, awaited stop on
 * SIGTERM or SIGINT. A bad setting or a failed start exits 1 with a log line saying why.
 */
export function runService({ name, stopping, start }: RunServiceOptions): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`✗ ${name}: ${error.message}`);
    process.exit(1);
  }
  const log = createLogger(config.LOG_LEVEL, name);
  start(config).then(
    (service) => {
      const shutdown = (signal: NodeJS.Signals) => {
        log.info({ signal }, `shutting down: ${stopping}`);
        service.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    },
    (error: unknown) => {
      log.fatal({ err: error }, `${name} failed to start`);
      process.exit(1);
    },
  );
}
