/** `npm run db:migrate`: applies every pending Knex migration to DATABASE_URL. */
import { loadConfig } from '../src/config';
import { createDatabase, migrateToLatest } from '../src/lib/db';

async function main(): Promise<void> {
  const config = loadConfig();
  const knex = createDatabase({ url: config.DATABASE_URL });
  try {
    const applied = await migrateToLatest(knex);
    console.log(applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s): ${applied.join(', ')}`);
  } finally {
    await knex.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`✗ database migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
