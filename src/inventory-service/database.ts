import { migrationsBeside, type ServiceDatabase } from '../lib/db';

/** The inventory service's schema: stock per item, each order's reservation, and the answers sent. */
export const INVENTORY_DATABASE: ServiceDatabase = {
  service: 'inventory-service',
  migrationsDir: migrationsBeside(__dirname),
};
