import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * An API key is `of_<keyId>_<secret>`: the id (16 hex digits) finds the key's record, the secret
 * (32 random bytes, base64url) proves it. Only an argon2id hash of the secret is stored.
 */
const KEY_PATTERN = /^of_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

export interface ParsedKey {
  keyId: string;
  secret: string;
}

export interface NewKey extends ParsedKey {
  /** The whole key, as the client sends it: shown once, never stored. */
  key: string;
}

/** A fresh key: 8 random bytes of id, 32 of secret. */
export function generateKey(): NewKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secret, key: `of_${keyId}_${secret}` };
}

/** The id and secret of a key as sent, or undefined when it is not shaped like one. */
export function parseKey(text: string): ParsedKey | undefined {
  const match = KEY_PATTERN.exec(text);
  return match ? { keyId: match[1] as string, secret: match[2] as string } : undefined;
}

export function isKeyId(text: string): boolean {
  return KEY_ID_PATTERN.test(text);
}

/** What an Authorization header carries: nothing, a bearer token, or something else. */
export type BearerCredentials = { kind: 'none' } | { kind: 'bearer'; token: string } | { kind: 'malformed' };

/** Reads `Authorization: Bearer <token>` (scheme in any case, RFC 7235); an empty token counts as none. */
export function parseBearer(header: string | undefined): BearerCredentials {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const match = /^Bearer(?:\s+(\S*))?\s*$/i.exec(header.trim());
  if (!match) return { kind: 'malformed' };
  const token = match[1] ?? '';
  return token === '' ? { kind: 'none' } : { kind: 'bearer', token };
}

/** The argon2id hash of a key's secret (the library's defaults: 19 MiB, 2 passes, OWASP's minimum). */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret);
}

/** True when `secret` matches `secretHash`; a malformed stored hash is a mismatch, not a crash. */
export async function verifySecret(secretHash: string, secret: string): Promise<boolean> {
  try {
    return await verify(secretHash, secret);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash no key has, with the same parameters as real ones: a key with an unknown id is
 * verified against it, so that an unknown id takes as long to refuse as a wrong secret and the
 * time of a refusal does not tell which ids exist.
 */
export function dummySecretHash(): Promise<string> {
  dummyHash ??= hashSecret(randomBytes(32).toString('base64url'));
  return dummyHash;
}
