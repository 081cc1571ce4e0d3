import { migrationsBeside, type ServiceDatabase } from '../lib/db';

/** The order service's schema: orders as consumed, their event history, parked updates and the dead-letter index. */
export const ORDER_DATABASE: ServiceDatabase = {
  service: 'order-service',
  migrationsDir: migrationsBeside(__dirname),
  preSplit: {
    tables: ['orders', 'order_items', 'order_events', 'pending_status_updates', 'dead_letters'],
    functions: [],
  },
};
