/**
 * `npm run stock:seed` (run by `npm start`): stocks each item of the catalogue generated orders
 * draw from (GENERATED_CATALOGUE) with CATALOGUE_STOCK units, unless it was stocked before, so
 * generated orders are reserved until an item runs out and refused after. Stock set through the
 * API, or left by earlier orders, stays as it is.
 */
import { loadConfig } from '../src/config';
import { GENERATED_CATALOGUE } from '../src/domain';
import { createInventoryRepository, INVENTORY_DATABASE } from '../src/inventory-service';
import { createDatabase, databaseConnection, migrateToLatest } from '../src/lib/db';

/** Units each catalogue item starts with: a few hundred generated orders' worth across the catalogue. */
const CATALOGUE_STOCK = 50;

async function main(): Promise<void> {
  const config = loadConfig();
  const schema = config.INVENTORY_DB_SCHEMA;
  const knex = createDatabase({ ...databaseConnection(config), database: INVENTORY_DATABASE, schema });
  try {
    await migrateToLatest(knex, INVENTORY_DATABASE, { schema });
    const stocked = await createInventoryRepository({ knex }).stockIfNew(GENERATED_CATALOGUE, CATALOGUE_STOCK);
    const kept = GENERATED_CATALOGUE.length - stocked.length;
    console.log(`stocked ${stocked.length} catalogue item(s) with ${CATALOGUE_STOCK} units each${kept > 0 ? `; ${kept} already had stock and keep it` : ''}`);
  } finally {
    await knex.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`✗ stocking the catalogue failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
