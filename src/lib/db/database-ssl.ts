import type { ConnectionOptions } from 'node:tls';
import { readCaCertificate, type Config } from '../../config';

/** The settings that say how to reach PostgreSQL. */
export type DatabaseConnectionSettings = Pick<Config, 'DATABASE_URL' | 'DATABASE_SSL' | 'DATABASE_SSL_CA_FILE'>;

/** pg's `ssl` option: undefined leaves TLS to DATABASE_URL (plain unless it says otherwise). */
export type DatabaseSsl = ConnectionOptions | undefined;

/**
 * Turns DATABASE_SSL into pg's `ssl` option. require encrypts without checking the server's
 * certificate (it guards against eavesdropping, not against someone posing as the server);
 * verify-full checks the certificate against DATABASE_SSL_CA_FILE (or Node's default CAs) and the
 * host name against the certificate — Node's default checkServerIdentity, left in place on purpose.
 * A CA file gone since the configuration was loaded throws a ConfigError naming it.
 */
export function databaseSsl(settings: Omit<DatabaseConnectionSettings, 'DATABASE_URL'>): DatabaseSsl {
  switch (settings.DATABASE_SSL) {
    case 'disable':
      return undefined;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full': {
      const caFile = settings.DATABASE_SSL_CA_FILE;
      return { rejectUnauthorized: true, ...(caFile === undefined ? {} : { ca: readCaCertificate('DATABASE_SSL_CA_FILE', caFile) }) };
    }
  }
}

/** What createDatabase needs to reach PostgreSQL: the URL and its TLS. */
export function databaseConnection(settings: DatabaseConnectionSettings): { url: string; ssl: DatabaseSsl } {
  return { url: settings.DATABASE_URL, ssl: databaseSsl(settings) };
}
