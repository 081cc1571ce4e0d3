import { readdir } from 'node:fs/promises';
import { extname, basename } from 'node:path';
import { escapeIdentifier } from 'pg';
import { MIGRATION_LEDGER, type Knex } from './knex';
import type { ServiceDatabase } from './service-database';

/**
 * The advisory lock every migrator of the database takes first (the two-key form, whose keys
 * never meet the one-key locks the services take): several instances start together, and the
 * creation of a schema and the move of pre-split tables must each happen once.
 */
const MIGRATION_LOCK: readonly [number, number] = [0x4f46, 0];

/** Where every table lived before each service had a schema of its own. */
export const PRE_SPLIT_SCHEMA = 'public';

export interface MigrateOptions {
  /** The schema to migrate: the service's configured one, or a fresh one in tests. */
  schema: string;
  /** Where to look for the service's tables of before the split ({@link PRE_SPLIT_SCHEMA}); nothing is moved when left out. */
  adoptFrom?: string;
}

export interface MigrationReport {
  /** Tables moved from the shared schema of before into the service's own. */
  adoptedTables: string[];
  /** Migrations applied by this run, in order. */
  applied: string[];
}

/**
 * Brings a service's schema up to its latest migration; safe to run at every start and from
 * several instances at once. A database from before the split (every table in `public`, one
 * migration ledger) is upgraded in place: the service's tables move into its schema with their
 * rows, and their migration records are copied to its ledger, in one transaction. `knex` must
 * work in `schema` (createDatabase with the same schema): the migrations create their tables in
 * its search_path.
 */
export async function migrateToLatest(knex: Knex, database: ServiceDatabase, { schema, adoptFrom }: MigrateOptions): Promise<MigrationReport> {
  const adoptedTables = await prepareSchema(knex, database, schema, adoptFrom);
  // The ledger prepared above and the service's own folder, whatever `knex`'s migration settings say.
  const [, applied] = (await knex.migrate.latest({ directory: database.migrationsDir, schemaName: schema, tableName: MIGRATION_LEDGER, loadExtensions: ['.ts', '.js'] })) as [number, string[]];
  return { adoptedTables, applied };
}

async function prepareSchema(knex: Knex, database: ServiceDatabase, schema: string, adoptFrom: string | undefined): Promise<string[]> {
  const ownMigrations = await migrationStems(database.migrationsDir);
  return knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [...MIGRATION_LOCK]);
    // Created only when missing, so a schema made beforehand by an administrator needs no CREATE right on the database.
    const { rows } = await trx.raw<{ rows: { present: boolean }[] }>('SELECT to_regnamespace(?) IS NOT NULL AS present', [escapeIdentifier(schema)]);
    if (!rows[0]?.present) await trx.raw('CREATE SCHEMA ??', [schema]);
    if (await trx.schema.withSchema(schema).hasTable(MIGRATION_LEDGER)) return [];
    await createLedger(trx, schema);
    if (adoptFrom === undefined || !database.preSplit) return [];
    return adoptPreSplit(trx, { from: adoptFrom, to: schema, ownMigrations, ...database.preSplit });
  });
}

/** Knex's own ledger and lock tables, made here so that instances starting together never race to create them. */
async function createLedger(trx: Knex.Transaction, schema: string): Promise<void> {
  await trx.schema.withSchema(schema).createTable(MIGRATION_LEDGER, (table) => {
    table.increments();
    table.string('name');
    table.integer('batch');
    table.timestamp('migration_time');
  });
  await trx.schema.withSchema(schema).createTable(`${MIGRATION_LEDGER}_lock`, (table) => {
    table.increments('index').primary();
    table.integer('is_locked');
  });
  await trx.withSchema(schema).table(`${MIGRATION_LEDGER}_lock`).insert({ is_locked: 0 });
}

interface PreSplitMove {
  from: string;
  to: string;
  ownMigrations: ReadonlySet<string>;
  tables: readonly string[];
  functions: readonly string[];
}

interface LedgerRow {
  name: string;
  batch: number;
  migration_time: Date;
}

async function adoptPreSplit(trx: Knex.Transaction, move: PreSplitMove): Promise<string[]> {
  if (!(await trx.schema.withSchema(move.from).hasTable(MIGRATION_LEDGER))) return [];
  const ledger = await trx.withSchema(move.from).table<LedgerRow>(MIGRATION_LEDGER).select('name', 'batch', 'migration_time').orderBy('id');
  const ours = ledger.filter((row) => move.ownMigrations.has(stemOf(row.name)));
  if (ours.length === 0) return [];

  const moved: string[] = [];
  for (const table of move.tables) {
    if (!(await trx.schema.withSchema(move.from).hasTable(table))) continue;
    // Indexes, constraints, sequences owned by columns and triggers move with the table.
    await trx.raw('ALTER TABLE ??.?? SET SCHEMA ??', [move.from, table, move.to]);
    moved.push(table);
  }
  for (const fn of move.functions) {
    const { rows } = await trx.raw<{ rows: { present: boolean }[] }>('SELECT to_regprocedure(?) IS NOT NULL AS present', [`${escapeIdentifier(move.from)}.${escapeIdentifier(fn)}()`]);
    if (rows[0]?.present) await trx.raw('ALTER FUNCTION ??.??() SET SCHEMA ??', [move.from, fn, move.to]);
  }
  // The records stay in the old ledger too: an instance of the old version started by mistake
  // then finds its migrations applied and fails on the missing tables, instead of quietly
  // creating empty ones in the shared schema and writing where no service reads.
  await trx
    .withSchema(move.to)
    .table(MIGRATION_LEDGER)
    .insert(ours.map(({ name, batch, migration_time }) => ({ name, batch, migration_time })));
  return moved;
}

/** The migrations of a folder by name without extension: the ledger says `.ts` or `.js` depending on how the service ran. */
async function migrationStems(directory: string): Promise<Set<string>> {
  const files = await readdir(directory);
  return new Set(files.filter((file) => ['.ts', '.js'].includes(extname(file)) && !file.endsWith('.d.ts')).map(stemOf));
}

function stemOf(name: string): string {
  return basename(name, extname(name));
}
