import { randomBytes } from 'node:crypto';
import { loadConfig, type Config, type ConfigKey } from '../../src/config';
import { createDatabase, databaseConnection, migrateToLatest, type Knex, type ServiceDatabase } from '../../src/lib/db';

/** A short random suffix so every test gets its own topic, subject, group and schema. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/**
 * The API-key schema of every test that does not test authentication: no test ever creates a key
 * in it, so the services under test run open, whatever keys the local stack's own schema
 * (orderflow_access, used by `npm start`) holds. Tests of authentication pass their own
 * ({@link createAccessSchema}).
 */
export const OPEN_ACCESS_SCHEMA = 'test_access_open';

/** The configuration of the local stack with fresh topics, dead-letter topics and groups, in open mode (no API key). */
export function testConfig(overrides: Partial<Record<ConfigKey, string>> = {}): Config {
  const suffix = uniqueSuffix();
  return loadConfig(process.env, {
    ORDER_EVENTS_TOPIC: `test-order-events-${suffix}`,
    DEAD_LETTER_TOPIC: `test-order-events-${suffix}.dlq`,
    CONSUMER_GROUP_ID: `test-group-${suffix}`,
    INVENTORY_EVENTS_TOPIC: `test-inventory-events-${suffix}`,
    INVENTORY_DEAD_LETTER_TOPIC: `test-order-events-${suffix}.inventory.dlq`,
    INVENTORY_CONSUMER_GROUP_ID: `test-inventory-group-${suffix}`,
    NOTIFICATION_CONSUMER_GROUP_ID: `test-notification-group-${suffix}`,
    NOTIFICATION_DEAD_LETTER_TOPIC: `test-notification-${suffix}.dlq`,
    ACCESS_DB_SCHEMA: OPEN_ACCESS_SCHEMA,
    // Tests that create or revoke keys see the change within a fifth of a second.
    ACCESS_KEYS_REFRESH_MS: '200',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

export interface TestDatabase {
  knex: Knex;
  schema: string;
  /** Drops the schema and closes the pool. */
  destroy(): Promise<void>;
}

/**
 * A fresh PostgreSQL schema standing in for one service's own, migrated to that service's latest
 * version, on the stack's database. Its connections carry the schema's name as application_name,
 * so a fault test can find them.
 */
export async function createTestDatabase(database: ServiceDatabase, config: Config = testConfig(), poolMax = 10): Promise<TestDatabase> {
  const schema = `test_${uniqueSuffix()}`;
  const knex = createDatabase({ ...databaseConnection(config), database, schema, poolMax, applicationName: schema });
  await migrateToLatest(knex, database, { schema });
  return {
    knex,
    schema,
    async destroy() {
      await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await knex.destroy();
    },
  };
}
