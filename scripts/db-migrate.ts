/** `npm run db:migrate`: brings every service's schema in DATABASE_URL, and the API keys' schema, up to its latest migration. */
import { loadConfig, type Config } from '../src/config';
import { CART_DATABASE } from '../src/cart-service';
import { ACCESS_DATABASE } from '../src/lib/access';
import { createDatabase, databaseConnection, migrateToLatest, PRE_SPLIT_SCHEMA, type ServiceDatabase } from '../src/lib/db';
import { INVENTORY_DATABASE } from '../src/inventory-service';
import { NOTIFICATION_DATABASE } from '../src/notification-service';
import { ORDER_DATABASE } from '../src/order-service';

async function migrate(config: Config, database: ServiceDatabase, schema: string): Promise<void> {
  const knex = createDatabase({ ...databaseConnection(config), database, schema });
  try {
    const { adoptedTables, applied } = await migrateToLatest(knex, database, { schema, adoptFrom: PRE_SPLIT_SCHEMA });
    const where = `${database.service} (schema ${schema})`;
    if (adoptedTables.length > 0) console.log(`${where}: moved ${adoptedTables.join(', ')} from the shared ${PRE_SPLIT_SCHEMA} schema`);
    console.log(applied.length === 0 ? `${where}: up to date` : `${where}: applied ${applied.length} migration(s): ${applied.join(', ')}`);
  } finally {
    await knex.destroy();
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  await migrate(config, CART_DATABASE, config.CART_DB_SCHEMA);
  await migrate(config, ORDER_DATABASE, config.ORDER_DB_SCHEMA);
  await migrate(config, INVENTORY_DATABASE, config.INVENTORY_DB_SCHEMA);
  await migrate(config, NOTIFICATION_DATABASE, config.NOTIFICATION_DB_SCHEMA);
  await migrate(config, ACCESS_DATABASE, config.ACCESS_DB_SCHEMA);
}

main().catch((error: unknown) => {
  console.error(`✗ database migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
