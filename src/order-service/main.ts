import { loadConfig } from '../config';
import { componentLogger } from '../logger';
import { startOrderService } from './server';

const log = componentLogger('order-service');

/** Entry point: starts the service; on SIGTERM / SIGINT it finishes the batch in hand, commits and disconnects. */
async function main(): Promise<void> {
  const service = await startOrderService(loadConfig());
  const shutdown = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'shutting down: finishing the batch in hand, committing, leaving the group');
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
  log.fatal({ err: error }, 'order service failed to start');
  process.exit(1);
});
