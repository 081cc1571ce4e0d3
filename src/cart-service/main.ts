import { loadConfig } from '../config';
import { componentLogger } from '../logger';
import { startCartService } from './server';

const log = componentLogger('cart-service');

/** Entry point: starts the service and stops it gracefully on SIGTERM / SIGINT. */
async function main(): Promise<void> {
  const service = await startCartService(loadConfig());
  const shutdown = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests, flushing the producer');
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
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, 'cart service failed to start');
  process.exit(1);
});
