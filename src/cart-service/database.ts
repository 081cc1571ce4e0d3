import { migrationsBeside, type ServiceDatabase } from '../lib/db';

/** The cart service's schema: its orders, outbox and Idempotency-Key records. */
export const CART_DATABASE: ServiceDatabase = {
  service: 'cart-service',
  migrationsDir: migrationsBeside(__dirname),
  preSplit: {
    tables: ['cart_orders', 'cart_outbox', 'cart_outbox_parked', 'cart_idempotency_keys'],
    functions: ['cart_outbox_notify'],
  },
};
