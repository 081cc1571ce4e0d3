export { createDatabase, migrateToLatest, MIGRATIONS_DIR, type DatabaseOptions, type Knex } from './knex';
export { openSession } from './session';
export { acquirePgConnection, preparedStatement, type SqlTransaction } from './sql-transaction';
export { databaseError, sqlStateOf, withDatabaseErrors } from './database-errors';
export { byteaArray, textArray, timestampArray, unquotedArray } from './pg-array';
export { inLockOrder } from './lock-order';
