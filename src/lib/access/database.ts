import { migrationsBeside, type ServiceDatabase } from '../db';

/** The API keys' schema (ACCESS_DB_SCHEMA): every service migrates and reads it; only the apikey:* scripts write it. */
export const ACCESS_DATABASE: ServiceDatabase = {
  service: 'access',
  migrationsDir: migrationsBeside(__dirname),
};
