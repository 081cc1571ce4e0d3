import { migrationsBeside, type ServiceDatabase } from '../lib/db';

/** The notification service's schema: one notification per meaningful event, with its webhook delivery. */
export const NOTIFICATION_DATABASE: ServiceDatabase = {
  service: 'notification-service',
  migrationsDir: migrationsBeside(__dirname),
};
