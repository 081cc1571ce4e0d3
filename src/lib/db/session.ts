import { Client, type ClientConfig } from 'pg';
import type { Knex } from 'knex';

/**
 * A dedicated PostgreSQL connection outside the knex pool, for what needs one connection for a
 * long time: session-level advisory locks and LISTEN. It uses the connection settings and the
 * search path of `knex`, so it sees the same schema.
 */
export async function openSession(knex: Knex, { onLost }: { onLost(error: Error): void }): Promise<Client> {
  const { connection, searchPath } = knex.client.config as Knex.Config;
  // knex keeps a connection URL parsed into pg's settings, with the password as a hidden
  // (non-enumerable) property that a spread would drop.
  if (typeof connection !== 'object' || connection === null) throw new TypeError('openSession expects a knex with connection settings');
  const settings = connection as ClientConfig;
  // Keepalives both ways: this side notices a vanished server within seconds, and the server
  // notices a vanished client — ending its session and so releasing the locks it held.
  const client = new Client({
    ...settings,
    password: settings.password,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: 5_000,
    // Added to the connection's own options, if it has any.
    options: [settings.options, '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=3 -c tcp_keepalives_count=3'].filter(Boolean).join(' '),
  });
  // pg raises 'error' on an idle client whose connection broke; unheard, it would end the process.
  client.on('error', onLost);
  await client.connect();
  try {
    const schemas = searchPath === undefined ? [] : typeof searchPath === 'string' ? [searchPath] : [...searchPath];
    if (schemas.length > 0) await client.query(`SET search_path TO ${schemas.map((schema) => client.escapeIdentifier(schema)).join(', ')}`);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}
