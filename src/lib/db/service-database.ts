import { join } from 'node:path';

/**
 * What one service owns in PostgreSQL: the migrations of a schema of its own (which schema is
 * configuration), so no service reads another's tables (database per service, with schemas as
 * the boundary).
 */
export interface ServiceDatabase {
  /** The service's name, as logs and `db:migrate` print it. */
  service: string;
  /** Folder of the service's Knex migrations; their ledger is `knex_migrations` inside the schema. */
  migrationsDir: string;
  /**
   * What the service kept in the shared `public` schema before each service had its own
   * (tables, and trigger functions taking no arguments). {@link migrateToLatest} moves them
   * into the service's schema with their migration records, so an upgraded database keeps its data.
   */
  preSplit?: { tables: readonly string[]; functions: readonly string[] };
}

/** The `migrations` folder beside a service's own module (its `__dirname`). */
export function migrationsBeside(serviceDir: string): string {
  return join(serviceDir, 'migrations');
}
