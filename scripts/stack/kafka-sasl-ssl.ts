import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CA_FILE, TLS_DIR, type Keystore } from './tls';

/**
 * The local broker's SASL_SSL listener: TLS with the stack CA's certificate, clients signing in
 * with SCRAM-SHA-256 or SCRAM-SHA-512. It sits beside the PLAINTEXT listener the services use by
 * default (the brokers, the controller and the registry keep talking plaintext on loopback).
 */
export interface SaslSslListener {
  port: number;
  keystore: Keystore;
}

const LISTENER = 'SASL_SSL';
const MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** `settings` (a broker's server.properties) with the SASL_SSL listener added to what it has. */
export function withSaslSslListener(settings: Readonly<Record<string, string | number>>, { port, keystore }: SaslSslListener): Record<string, string | number> {
  const prefix = `listener.name.${LISTENER.toLowerCase()}`;
  const append = (key: string, value: string) => (settings[key] === undefined ? value : `${settings[key]},${value}`);
  return {
    ...settings,
    listeners: append('listeners', `${LISTENER}://127.0.0.1:${port}`),
    'advertised.listeners': append('advertised.listeners', `${LISTENER}://127.0.0.1:${port}`),
    'listener.security.protocol.map': append('listener.security.protocol.map', `${LISTENER}:${LISTENER}`),
    'sasl.enabled.mechanisms': MECHANISMS.join(','),
    ...Object.fromEntries(MECHANISMS.map((mechanism) => [`${prefix}.${mechanism.toLowerCase()}.sasl.jaas.config`, 'org.apache.kafka.common.security.scram.ScramLoginModule required;'])),
    [`${prefix}.ssl.keystore.type`]: 'PKCS12',
    [`${prefix}.ssl.keystore.location`]: keystore.file,
    [`${prefix}.ssl.keystore.password`]: keystore.password,
    [`${prefix}.ssl.key.password`]: keystore.password,
  };
}

/** The SCRAM user the stack creates on its broker, with the settings a service needs to sign in as it. */
export const SCRAM_CREDENTIALS_FILE = join(TLS_DIR, 'kafka-scram.env');
export const SCRAM_USERNAME = 'orderflow';

export interface ScramCredentials {
  username: string;
  password: string;
}

/** The `KEY=value` lines of an env file (comments and blank lines skipped). */
function readEnvFile(file: string): Record<string, string> {
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}

/** The stack's SCRAM credentials, or undefined before the stack made them. */
export function readScramCredentials(): ScramCredentials | undefined {
  if (!existsSync(SCRAM_CREDENTIALS_FILE)) return undefined;
  const password = readEnvFile(SCRAM_CREDENTIALS_FILE).KAFKA_SASL_PASSWORD;
  return password === undefined || password === '' ? undefined : { username: SCRAM_USERNAME, password };
}

/**
 * The SCRAM user's password, generated the first time and kept; the file is rewritten each start
 * with the current listeners, so `set -a; . <file>; set +a` points the services at the SASL_SSL listener.
 */
export function ensureScramCredentials(bootstrap: string): ScramCredentials {
  // base64url has no ',', '=' or ']', which Kafka's --add-config syntax would split on.
  const credentials = readScramCredentials() ?? { username: SCRAM_USERNAME, password: randomBytes(24).toString('base64url') };
  const lines = [
    "# The local stack's SCRAM user on its SASL_SSL listener (scripts/stack). To point the services at it:",
    `#   set -a; . ${SCRAM_CREDENTIALS_FILE}; set +a`,
    `KAFKA_BROKERS=${bootstrap}`,
    'KAFKA_SECURITY_PROTOCOL=sasl_ssl',
    'KAFKA_SASL_MECHANISM=scram-sha-512',
    `KAFKA_SASL_USERNAME=${credentials.username}`,
    `KAFKA_SASL_PASSWORD=${credentials.password}`,
    `KAFKA_SSL_CA_FILE=${CA_FILE}`,
  ];
  writeFileSync(SCRAM_CREDENTIALS_FILE, `${lines.join('\n')}\n`, { mode: 0o600 });
  return credentials;
}

/**
 * Arguments of the `kafka.admin.ConfigCommand` runs that create (or reset) the SCRAM user,
 * through the PLAINTEXT listener at `bootstrap`: one run per mechanism, since Kafka refuses to
 * alter one user's credentials twice in one request. Run again they change nothing.
 */
export function scramUserCommands(bootstrap: string, { username, password }: ScramCredentials): string[][] {
  return MECHANISMS.map((mechanism) => ['--bootstrap-server', bootstrap, '--alter', '--add-config', `${mechanism}=[password=${password}]`, '--entity-type', 'users', '--entity-name', username]);
}

/** A fingerprint of the credentials, kept beside the broker's data to tell whether they were given to it already. */
export function credentialsFingerprint({ username, password }: ScramCredentials): string {
  return createHash('sha256').update(`${username}\n${password}`).digest('hex');
}
