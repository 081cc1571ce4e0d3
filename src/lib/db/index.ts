export { createDatabase, MIGRATION_LEDGER, type DatabaseOptions, type Knex } from './knex';
export { databaseConnection, databaseSsl, type DatabaseConnectionSettings, type DatabaseSsl } from './database-ssl';
export { migrateToLatest, PRE_SPLIT_SCHEMA, type MigrateOptions, type MigrationReport } from './migrate';
export { migrationsBeside, type ServiceDatabase } from './service-database';
export { openSession } from './session';
export { acquirePgConnection, preparedStatement, type SqlTransaction } from './sql-transaction';
export { databaseError, sqlStateOf, withDatabaseErrors } from './database-errors';
export { byteaArray, textArray, timestampArray, unquotedArray } from './pg-array';
export { inLockOrder } from './lock-order';
