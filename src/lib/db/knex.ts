import knexFactory, { type Knex } from 'knex';
import { defaults, types } from 'pg';
import { loggerForTools, type Logger } from '../../logger';
import type { DatabaseSsl } from './database-ssl';
import type { ServiceDatabase } from './service-database';

export type { Knex };

// Exact money: PostgreSQL numeric and bigint arrive as strings instead of lossy JS numbers
// (the pg default already does this; pinned here so nobody "fixes" it to parseFloat).
types.setTypeParser(types.builtins.NUMERIC, (value) => value);
types.setTypeParser(types.builtins.INT8, (value) => value);

// Exact instants: pg writes a Date in the process's local time zone, and for old dates local
// time has offsets in seconds (Amsterdam in 1800: +00:19:32) that it rounds to whole minutes, so
// an instant would be stored seconds off under TZ=Europe/Amsterdam. In UTC nothing is rounded.
defaults.parseInputDatesAsUTC = true;

/** A service's pool works in its schema with its migrations; an administrative pool (tools, tests) in the server's search_path. */
export type DatabaseOptions = PoolOptions &
  (
    | {
        /** The service whose migrations this pool runs. */
        database: ServiceDatabase;
        /** The schema to work in: the service's configured one, or a fresh one in tests. */
        schema: string;
      }
    | { database?: undefined; schema?: undefined }
  );

interface PoolOptions {
  url: string;
  /** pg's TLS options, from the configuration through databaseConnection(config); without, DATABASE_URL decides. */
  ssl?: DatabaseSsl;
  /** Most pooled connections. */
  poolMax?: number;
  /** application_name of every connection, so pg_stat_activity tells whose connections they are. */
  applicationName?: string;
  /** Where knex's warnings go (as component 'knex'); scripts and tests may leave it out. */
  logger?: Logger;
}

/** A Knex instance for PostgreSQL, confined to one service's schema (its search_path) and migrations when given one. */
export function createDatabase({ url, ssl, database, schema, poolMax = 20, applicationName, logger = loggerForTools() }: DatabaseOptions): Knex {
  const log = logger.child({ component: 'knex' });
  return knexFactory({
    client: 'pg',
    // openSession copies these settings (TLS included) for its connections outside the pool.
    connection: applicationName || ssl ? { connectionString: url, ...(applicationName ? { application_name: applicationName } : {}), ...(ssl ? { ssl } : {}) } : url,
    searchPath: schema === undefined ? undefined : [schema],
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
    // Knex writes to the console by default; its warnings (e.g. while PostgreSQL restarts) belong in the JSON log.
    log: {
      warn: (message: string) => log.warn(message),
      error: (message: string) => log.error(message),
      deprecate: (message: string) => log.warn(message),
      debug: (message: string) => log.debug(message),
    },
    migrations: database && {
      directory: database.migrationsDir,
      schemaName: schema,
      tableName: MIGRATION_LEDGER,
      loadExtensions: ['.ts', '.js'],
    },
  });
}

/** The table, inside each service's schema, that records which of its migrations ran. */
export const MIGRATION_LEDGER = 'knex_migrations';
