import type { RequestHandler } from 'express';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { databaseConnection, type Knex } from '../db';
import type { AccessPolicy } from './access-policy';
import { accessGuard } from './authenticate';
import { createKeyRing, type AccessMode } from './key-ring';
import { createKeyStore, migrateAccessSchema } from './key-store';
import { createRateLimit, createRefusedKeyLimit } from './rate-limit';

export type AccessSettings = Pick<Config, 'DATABASE_URL' | 'DATABASE_SSL' | 'DATABASE_SSL_CA_FILE' | 'ACCESS_DB_SCHEMA' | 'ACCESS_KEYS_REFRESH_MS' | 'API_RATE_LIMIT_PER_SECOND' | 'API_RATE_LIMIT_BURST' | 'API_REFUSED_KEYS_PER_MINUTE'>;

export interface AccessControl {
  /** The middleware enforcing `policy` with this instance's keys and rate limit. */
  guard(policy: AccessPolicy): RequestHandler;
  /** Whether keys exist (`keys`) or the API is open (`open`), as /ready reports it. */
  mode(): AccessMode;
  stop(): void;
}

/**
 * A service's API-key authentication: migrates ACCESS_DB_SCHEMA (safe from every instance at
 * once: the migration runner takes an advisory lock), reads the keys through `knex` (the service's
 * own pool) and rereads them every ACCESS_KEYS_REFRESH_MS. Logs a warning when no key exists.
 */
export async function startAccessControl(config: AccessSettings, { knex, logger }: { knex: Knex; logger: Logger }): Promise<AccessControl> {
  await migrateAccessSchema({ connection: databaseConnection(config), schema: config.ACCESS_DB_SCHEMA, logger });
  const ring = createKeyRing({ store: createKeyStore({ knex, schema: config.ACCESS_DB_SCHEMA }), refreshIntervalMs: config.ACCESS_KEYS_REFRESH_MS, logger: logger.child({ component: 'access' }) });
  await ring.start();
  const rateLimit = createRateLimit({ perSecond: config.API_RATE_LIMIT_PER_SECOND, burst: config.API_RATE_LIMIT_BURST });
  const refusedKeys = createRefusedKeyLimit(config.API_REFUSED_KEYS_PER_MINUTE);
  return {
    guard: (policy) => accessGuard({ ring, rateLimit, refusedKeys, policy }),
    mode: ring.mode,
    stop: ring.stop,
  };
}
