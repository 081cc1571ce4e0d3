import { createDatabase, type Knex } from '../../src/lib/db';
import { createKeyStore, generateKey, hashSecret, migrateAccessSchema, type KeyStore, type Role } from '../../src/lib/access';
import { testConfig, uniqueSuffix } from './test-env';

export interface TestKey {
  id: string;
  /** The whole key, as a client sends it. */
  key: string;
  secret: string;
  role: Role;
}

export interface TestAccessSchema {
  /** The schema's name, for ACCESS_DB_SCHEMA. */
  schema: string;
  store: KeyStore;
  /** Creates a key as `apikey:create` does (argon2id hash of the secret stored, the key returned). */
  createKey(role: Role, name?: string): Promise<TestKey>;
  revoke(id: string): Promise<void>;
  /** Drops the schema and closes the pool. */
  destroy(): Promise<void>;
}

/**
 * An API-key schema of the test's own: the keys it creates switch authentication on for the
 * services started with it as ACCESS_DB_SCHEMA, and for no other suite running at the same time.
 */
export async function createAccessSchema(url = testConfig().DATABASE_URL): Promise<TestAccessSchema> {
  const schema = `test_access_${uniqueSuffix()}`;
  await migrateAccessSchema({ connection: { url, ssl: undefined }, schema });
  const knex: Knex = createDatabase({ url, poolMax: 2, applicationName: schema });
  const store = createKeyStore({ knex, schema });
  return {
    schema,
    store,
    async createKey(role, name) {
      const { keyId, secret, key } = generateKey();
      await store.insert({ id: keyId, name: name ?? null, role, secretHash: await hashSecret(secret) });
      return { id: keyId, key, secret, role };
    },
    async revoke(id) {
      await store.revoke(id);
    },
    async destroy() {
      await knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await knex.destroy();
    },
  };
}

/** Request headers carrying `key` as a Bearer credential (none for undefined). */
export function bearer(key: string | undefined): Record<string, string> {
  return key === undefined ? {} : { authorization: `Bearer ${key}` };
}
