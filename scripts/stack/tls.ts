import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR } from './paths';
import { commandExists, runOrFail, StackError } from './process';

/**
 * The local stack's own certificate authority and the servers' certificates it signs, made
 * once with the openssl CLI and kept with the stack's data (git-ignored). Clients trust
 * {@link CA_FILE}; Kafka's SASL_SSL listener and PostgreSQL present certificates for
 * `localhost` and `127.0.0.1`, so host-name checks (verify-full) pass on loopback.
 */
export const TLS_DIR = join(DATA_DIR, 'tls');
/** The CA certificate clients trust (KAFKA_SSL_CA_FILE, DATABASE_SSL_CA_FILE). */
export const CA_FILE = join(TLS_DIR, 'ca.pem');
const CA_KEY = join(TLS_DIR, 'ca.key');
/** Long enough that a developer's stack never sees one expire; it never leaves loopback. */
const VALID_DAYS = '3650';
/** The names the servers answer to on loopback. */
const SUBJECT_ALT_NAMES = 'DNS:localhost,IP:127.0.0.1';

export interface ServerCertificate {
  certFile: string;
  keyFile: string;
}

function openssl(args: string[], what: string): void {
  if (!commandExists('openssl')) throw new StackError(`tls: 'openssl' was not found on PATH; the stack makes its certificates with it (Debian: apt-get install openssl)`);
  runOrFail('openssl', args, `tls: ${what}`);
}

/** Makes the CA once; a new CA invalidates every certificate signed by the old one, so those go too. */
export function ensureCertificateAuthority(): void {
  if (existsSync(CA_FILE) && existsSync(CA_KEY)) return;
  // Reachable by the PostgreSQL server's own user (as root the server runs as `postgres`); the keys themselves are private.
  mkdirSync(TLS_DIR, { recursive: true });
  chmodSync(TLS_DIR, 0o755);
  for (const name of ['kafka', 'postgres']) {
    for (const file of serverFiles(name)) rmSync(file, { force: true });
  }
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', VALID_DAYS, '-subj', '/CN=Orderflow local stack CA', '-keyout', CA_KEY, '-out', CA_FILE,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    'making the local certificate authority',
  );
  chmodSync(CA_KEY, 0o600);
  chmodSync(CA_FILE, 0o644);
}

function serverFiles(name: string): string[] {
  return [join(TLS_DIR, `${name}-server.pem`), join(TLS_DIR, `${name}-server.key`), join(TLS_DIR, `${name}-server.p12`), join(TLS_DIR, `${name}-server.p12.password`)];
}

/** A key and a certificate for `name` (localhost, 127.0.0.1) signed by the stack's CA, made once. */
export function ensureServerCertificate(name: 'kafka' | 'postgres'): ServerCertificate {
  ensureCertificateAuthority();
  const [certFile = '', keyFile = ''] = serverFiles(name);
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile };
  // A keystore packed from an earlier certificate would present the wrong one.
  for (const stale of serverFiles(name).slice(2)) rmSync(stale, { force: true });
  const request = join(TLS_DIR, `${name}-server.csr`);
  const extensions = join(TLS_DIR, `${name}-server.ext`);
  writeFileSync(extensions, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${SUBJECT_ALT_NAMES}\n`);
  try {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', `/CN=localhost`, '-keyout', keyFile, '-out', request], `making the ${name} server key`);
    openssl(
      ['x509', '-req', '-in', request, '-CA', CA_FILE, '-CAkey', CA_KEY, '-CAcreateserial', '-days', VALID_DAYS, '-sha256', '-extfile', extensions, '-out', certFile],
      `signing the ${name} server certificate`,
    );
  } finally {
    rmSync(request, { force: true });
    rmSync(extensions, { force: true });
  }
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile };
}

export interface Keystore {
  file: string;
  password: string;
}

/** The server's key and certificate chain as a PKCS#12 keystore, as Java (Kafka) reads them; made once. */
export function ensureServerKeystore(name: 'kafka'): Keystore {
  const { certFile, keyFile } = ensureServerCertificate(name);
  const [, , file = '', passwordFile = ''] = serverFiles(name);
  if (existsSync(file) && existsSync(passwordFile)) return { file, password: readFileSync(passwordFile, 'utf8').trim() };
  const password = randomBytes(18).toString('base64url');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  openssl(
    ['pkcs12', '-export', '-in', certFile, '-inkey', keyFile, '-certfile', CA_FILE, '-name', name, '-passout', `file:${passwordFile}`, '-out', file],
    `packing the ${name} keystore`,
  );
  chmodSync(file, 0o600);
  return { file, password };
}
