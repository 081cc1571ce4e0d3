import { createDatabase, migrateToLatest, type DatabaseSsl, type Knex } from '../db';
import type { Logger } from '../../logger';
import { ACCESS_DATABASE } from './database';
import { isRole, type Role } from './roles';

const TABLE = 'api_keys';

/** An API key as stored: never its secret, only the secret's hash. */
export interface StoredKey {
  id: string;
  name: string | null;
  role: Role;
  secretHash: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A key as `apikey:list` shows it: no hash. */
export type KeyListing = Omit<StoredKey, 'secretHash'>;

export interface KeyStore {
  insert(key: { id: string; name: string | null; role: Role; secretHash: string }): Promise<void>;
  /** Every key not revoked, with its hash: what the services authenticate against. */
  active(): Promise<StoredKey[]>;
  /** Keys without their hashes, oldest first; revoked ones too when `all`. */
  list(options?: { all?: boolean }): Promise<KeyListing[]>;
  /** Revokes the key: 'revoked', 'already' when it was, 'unknown' when no key has this id. */
  revoke(id: string): Promise<'revoked' | 'already' | 'unknown'>;
}

interface KeyRow {
  id: string;
  name: string | null;
  role: string;
  secret_hash: string;
  created_at: Date;
  revoked_at: Date | null;
}

function toStored(row: KeyRow): StoredKey {
  // The table's CHECK holds the roles; a row outside them (edited by hand) is read as the weakest role rather than trusted.
  return { id: row.id, name: row.name, role: isRole(row.role) ? row.role : 'reader', secretHash: row.secret_hash, createdAt: row.created_at, revokedAt: row.revoked_at };
}

/**
 * The API keys in `schema`, read and written through `knex` (any pool of the database: a
 * service's own, whose search_path is its schema, reads them by qualified name).
 */
export function createKeyStore({ knex, schema }: { knex: Knex; schema: string }): KeyStore {
  const keys = () => knex.withSchema(schema).table<KeyRow>(TABLE);
  return {
    async insert({ id, name, role, secretHash }) {
      await keys().insert({ id, name, role, secret_hash: secretHash });
    },
    async active() {
      const rows = (await keys().select('*').whereNull('revoked_at')) as KeyRow[];
      return rows.map(toStored);
    },
    async list({ all = false } = {}) {
      const query = keys().select('*').orderBy([{ column: 'created_at' }, { column: 'id' }]);
      const rows = (await (all ? query : query.whereNull('revoked_at'))) as KeyRow[];
      return rows.map((row) => {
        const { secretHash: _hidden, ...listing } = toStored(row);
        return listing;
      });
    },
    async revoke(id) {
      const updated = await keys().where({ id }).whereNull('revoked_at').update({ revoked_at: knex.fn.now() });
      if (updated > 0) return 'revoked';
      const existing = (await keys().select('id').where({ id }).first()) as Pick<KeyRow, 'id'> | undefined;
      return existing ? 'already' : 'unknown';
    },
  };
}

/** How to reach the database: its URL and pg's TLS option (see databaseConnection). */
export interface DatabaseConnection {
  url: string;
  ssl: DatabaseSsl;
}

/**
 * Creates and migrates ACCESS_DB_SCHEMA. The migrations create their table in the search_path,
 * so they run through a pool of one connection confined to that schema, closed afterwards: the
 * services then read the keys through their own pool.
 */
export async function migrateAccessSchema({ connection, schema, logger }: { connection: DatabaseConnection; schema: string; logger?: Logger }): Promise<void> {
  const knex = createDatabase({ ...connection, database: ACCESS_DATABASE, schema, poolMax: 1, applicationName: 'orderflow-access-migrate', ...(logger ? { logger } : {}) });
  try {
    await migrateToLatest(knex, ACCESS_DATABASE, { schema });
  } finally {
    await knex.destroy();
  }
}
