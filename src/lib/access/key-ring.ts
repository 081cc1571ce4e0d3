import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../logger';
import { dummySecretHash, parseKey, verifySecret } from './api-keys';
import type { KeyStore, StoredKey } from './key-store';
import type { Role } from './roles';

/** How long a successful verification is remembered: argon2 is slow on purpose, and a client sends its key with every request. */
export const VERIFIED_KEY_TTL_MS = 60_000;

/** The key a request was authenticated with, as routes and logs may see it: never its secret. */
export interface AuthenticatedKey {
  id: string;
  name: string | null;
  role: Role;
}

/**
 * `open`: no API key exists, every request is let in; `keys`: every protected request needs one;
 * `unknown`: the keys could not be read yet (the database was away at start), so every protected
 * request is refused until they are: an unread key table must not let anyone in.
 */
export type AccessMode = 'open' | 'keys' | 'unknown';

export interface KeyRing {
  mode(): AccessMode;
  /** The key `presented` is, when it is a valid key not revoked (as of the last refresh); undefined otherwise. */
  authenticate(presented: string): Promise<AuthenticatedKey | undefined>;
  /** Rereads the keys now (the ring does so by itself every `refreshIntervalMs` once started). */
  refresh(): Promise<void>;
  /** Loads the keys, then rereads them on an interval; resolves once the first read is done. */
  start(): Promise<void>;
  stop(): void;
}

interface Verified {
  digest: Buffer;
  expiresAt: number;
}

/** Logged at start and whenever the last key is revoked. */
export const OPEN_WARNING =
  'authentication is OFF (open mode): no API key exists, so the API answers anyone who reaches it; create a key with `npm run apikey:create -- --role writer` and every service requires one within ACCESS_KEYS_REFRESH_MS';

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The API keys as this instance knows them: read from the store at start and every
 * `refreshIntervalMs`, so a key created turns authentication on, and a key revoked stops
 * working, within that interval. A failed reread keeps the keys read before (it never turns
 * authentication off because the database hiccuped).
 *
 * A successful verification is cached per key id for {@link VERIFIED_KEY_TTL_MS} as the SHA-256
 * digest of the key presented, compared in constant time; a cached key still has to be among the
 * active keys of the last refresh. Verifications of one key under way at once are shared.
 */
export function createKeyRing({ store, refreshIntervalMs, logger, now = Date.now }: { store: KeyStore; refreshIntervalMs: number; logger: Logger; now?: () => number }): KeyRing {
  let keys = new Map<string, StoredKey>();
  let loaded = false;
  let timer: NodeJS.Timeout | undefined;
  const verified = new Map<string, Verified>();
  const inFlight = new Map<string, Promise<boolean>>();

  const mode = (): AccessMode => (!loaded ? 'unknown' : keys.size === 0 ? 'open' : 'keys');

  async function refresh(): Promise<void> {
    const before = mode();
    const active = await store.active();
    keys = new Map(active.map((key) => [key.id, key]));
    loaded = true;
    for (const id of verified.keys()) if (!keys.has(id)) verified.delete(id);
    if (before !== mode()) announce();
  }

  function announce(): void {
    if (mode() === 'keys') logger.info({ keys: keys.size }, 'API keys exist: every API request needs one (Authorization: Bearer <key>)');
    else logger.warn(OPEN_WARNING);
  }

  function cachedMatch(keyId: string, digest: Buffer): boolean {
    const entry = verified.get(keyId);
    if (!entry) return false;
    if (entry.expiresAt <= now()) {
      verified.delete(keyId);
      return false;
    }
    return timingSafeEqual(entry.digest, digest);
  }

  /** Verifies the secret against the key's hash, or against a dummy hash when there is no such key (same work, same time). */
  function verifyOnce(presented: string, secret: string, stored: StoredKey | undefined): Promise<boolean> {
    const flightKey = sha256(presented).toString('hex');
    let flight = inFlight.get(flightKey);
    if (!flight) {
      flight = (async () => {
        if (stored) return verifySecret(stored.secretHash, secret);
        await verifySecret(await dummySecretHash(), secret);
        return false;
      })();
      inFlight.set(flightKey, flight);
      void flight.finally(() => inFlight.delete(flightKey)).catch(() => undefined);
    }
    return flight;
  }

  return {
    mode,
    refresh,
    async authenticate(presented) {
      const parsed = parseKey(presented);
      if (!parsed) return undefined;
      const stored = keys.get(parsed.keyId);
      const digest = sha256(presented);
      if (stored && cachedMatch(parsed.keyId, digest)) return { id: stored.id, name: stored.name, role: stored.role };
      const valid = await verifyOnce(presented, parsed.secret, stored);
      // Revoked while it was being verified: the refresh wins.
      const current = keys.get(parsed.keyId);
      if (!valid || !current) return undefined;
      verified.set(parsed.keyId, { digest, expiresAt: now() + VERIFIED_KEY_TTL_MS });
      return { id: current.id, name: current.name, role: current.role };
    },
    async start() {
      // Hashed now, so that the first unknown id is not refused slower than later ones.
      await dummySecretHash();
      // A service starts while its database is away (it retries its work); so does its key ring.
      await refresh().catch((error: unknown) => logger.warn({ err: error }, 'could not read the API keys: every protected request answers 503 until they are read'));
      timer = setInterval(() => {
        refresh().catch((error: unknown) =>
          logger.warn({ err: error }, mode() === 'unknown' ? 'could not read the API keys yet: protected requests still answer 503' : 'could not reread the API keys; the ones read before stay in force'),
        );
      }, refreshIntervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
