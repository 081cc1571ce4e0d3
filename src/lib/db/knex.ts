import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { defaults, types } from 'pg';
import { loggerForTools, type Logger } from '../../logger';

export type { Knex };

// Exact money: PostgreSQL numeric and bigint arrive as strings instead of lossy JS numbers
// (the pg default already does this; pinned here so nobody "fixes" it to parseFloat).
types.setTypeParser(types.builtins.NUMERIC, (value) => value);
types.setTypeParser(types.builtins.INT8, (value) => value);

// Exact instants: pg writes a Date in the process's local time zone, and for old dates local
// time has offsets in seconds (Amsterdam in 1800: +00:19:32) that it rounds to whole minutes, so
// an instant would be stored seconds off under TZ=Europe/Amsterdam. In UTC nothing is rounded.
defaults.parseInputDatesAsUTC = true;

/** Folder of the Knex migrations shared by both services. */
export const MIGRATIONS_DIR = join(__dirname, 'migrations');

export interface DatabaseOptions {
  url: string;
  /** PostgreSQL schema to work in; tests use a fresh one each. Defaults to `public`. */
  schema?: string;
  /** Most pooled connections. */
  poolMax?: number;
  /** application_name of every connection, so pg_stat_activity tells whose connections they are. */
  applicationName?: string;
  /** Where knex's warnings go (as component 'knex'); scripts and tests may leave it out. */
  logger?: Logger;
}

/** A Knex instance for PostgreSQL whose migrations live in {@link MIGRATIONS_DIR}. */
export function createDatabase({ url, schema, poolMax = 20, applicationName, logger = loggerForTools() }: DatabaseOptions): Knex {
  const log = logger.child({ component: 'knex' });
  return knexFactory({
    client: 'pg',
    connection: applicationName ? { connectionString: url, application_name: applicationName } : url,
    searchPath: schema ? [schema] : undefined,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
    // Knex writes to the console by default; its warnings (e.g. while PostgreSQL restarts) belong in the JSON log.
    log: {
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
      deprecate: (message: string) => log.warn(message),
      debug: (message: string) => log.debug(message),
    },
    migrations: {
      directory: MIGRATIONS_DIR,
      schemaName: schema,
      tableName: 'knex_migrations',
      loadExtensions: ['.ts', '.js'],
    },
  });
}

/** Brings the schema up to the latest migration; safe to run at every start. */
export async function migrateToLatest(knex: Knex, schema?: string): Promise<string[]> {
  if (schema) await knex.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  const [, applied] = (await knex.migrate.latest()) as [number, string[]];
  return applied;
}
