import { expect } from 'chai';
import pino from 'pino';
import { createKeyRing, createRateLimit, generateKey, hashSecret, VERIFIED_KEY_TTL_MS, type KeyStore, type Role, type StoredKey } from '../../../src/lib/access';

/** The store's read side, in memory: the ring only reads what is active. */
function memoryStore(): KeyStore & { keys: StoredKey[] } {
  const keys: StoredKey[] = [];
  return {
    keys,
    insert: () => Promise.reject(new Error('not used')),
    active: () => Promise.resolve(keys.filter((key) => key.revokedAt === null)),
    list: () => Promise.reject(new Error('not used')),
    revoke: () => Promise.reject(new Error('not used')),
  };
}

async function addKey(store: ReturnType<typeof memoryStore>, role: Role) {
  const fresh = generateKey();
  const stored: StoredKey = { id: fresh.keyId, name: null, role, secretHash: await hashSecret(fresh.secret), createdAt: new Date(), revokedAt: null };
  store.keys.push(stored);
  return { ...fresh, stored };
}

const silent = pino({ level: 'silent' });

async function median(times: number, work: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < times; run += 1) {
    const start = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)] ?? 0;
}

describe('key ring (lib/access): the keys an instance knows, and verifying one', () => {
  it('is open while no key exists, and needs keys once one does (at the next refresh)', async () => {
    const store = memoryStore();
    const ring = createKeyRing({ store, refreshIntervalMs: 60_000, logger: silent });
    await ring.start();
    try {
      expect(ring.mode()).to.equal('open');
      await addKey(store, 'reader');
      expect(ring.mode()).to.equal('open');
      await ring.refresh();
      expect(ring.mode()).to.equal('keys');
    } finally {
      ring.stop();
    }
  });

  it('authenticates a valid key with its role, and refuses a wrong secret, an unknown id and a malformed key', async () => {
    const store = memoryStore();
    const writer = await addKey(store, 'writer');
    const ring = createKeyRing({ store, refreshIntervalMs: 60_000, logger: silent });
    await ring.start();
    ring.stop();
    expect(await ring.authenticate(writer.key)).to.deep.equal({ id: writer.keyId, name: null, role: 'writer' });
    expect(await ring.authenticate(`of_${writer.keyId}_${generateKey().secret}`)).to.equal(undefined);
    expect(await ring.authenticate(generateKey().key)).to.equal(undefined);
    expect(await ring.authenticate('of_nonsense')).to.equal(undefined);
  });

  it('stops accepting a revoked key at the next refresh, even one verified a moment ago', async () => {
    const store = memoryStore();
    const reader = await addKey(store, 'reader');
    await addKey(store, 'admin');
    const ring = createKeyRing({ store, refreshIntervalMs: 60_000, logger: silent });
    await ring.start();
    ring.stop();
    expect(await ring.authenticate(reader.key)).to.not.equal(undefined);
    reader.stored.revokedAt = new Date();
    await ring.refresh();
    expect(await ring.authenticate(reader.key)).to.equal(undefined);
  });

  it('remembers a verified key for a while (no argon2 on each request), then verifies it again', async () => {
    const store = memoryStore();
    const reader = await addKey(store, 'reader');
    let now = 1_000_000;
    const ring = createKeyRing({ store, refreshIntervalMs: 60_000, logger: silent, now: () => now });
    await ring.start();
    ring.stop();
    await ring.authenticate(reader.key);
    const cached = await median(5, () => ring.authenticate(reader.key));
    now += VERIFIED_KEY_TTL_MS + 1;
    const verified = await median(1, () => ring.authenticate(reader.key));
    expect(cached).to.be.below(verified / 5);
    // The cache holds a digest of the key, so another secret under the same id is still refused.
    expect(await ring.authenticate(`of_${reader.keyId}_${generateKey().secret}`)).to.equal(undefined);
  });

  it('takes about as long to refuse an unknown id as a wrong secret, so timing does not tell which ids exist', async () => {
    const store = memoryStore();
    const reader = await addKey(store, 'reader');
    const ring = createKeyRing({ store, refreshIntervalMs: 60_000, logger: silent });
    await ring.start();
    ring.stop();
    const wrongSecret = await median(7, () => ring.authenticate(`of_${reader.keyId}_${generateKey().secret}`));
    const unknownId = await median(7, () => ring.authenticate(generateKey().key));
    // Both run one argon2 verification (tens of ms); a lookup alone would take microseconds.
    expect(unknownId).to.be.above(wrongSecret / 2);
    expect(unknownId).to.be.below(wrongSecret * 2);
  });

  it('starts without its keys when the store is away, refusing every key (mode unknown), and takes them at the next read', async () => {
    const store = memoryStore();
    const reader = await addKey(store, 'reader');
    const read = store.active.bind(store);
    store.active = () => Promise.reject(new Error('database down'));
    const ring = createKeyRing({ store, refreshIntervalMs: 60_000, logger: silent });
    await ring.start();
    ring.stop();
    expect(ring.mode()).to.equal('unknown');
    expect(await ring.authenticate(reader.key)).to.equal(undefined);
    store.active = read;
    await ring.refresh();
    expect(ring.mode()).to.equal('keys');
    expect(await ring.authenticate(reader.key)).to.not.equal(undefined);
  });

  it('keeps the keys it had when a reread fails', async () => {
    const store = memoryStore();
    const reader = await addKey(store, 'reader');
    const ring = createKeyRing({ store, refreshIntervalMs: 60_000, logger: silent });
    await ring.start();
    ring.stop();
    store.active = () => Promise.reject(new Error('database down'));
    await ring.refresh().catch(() => undefined);
    expect(ring.mode()).to.equal('keys');
    expect(await ring.authenticate(reader.key)).to.not.equal(undefined);
  });
});

describe('rate limit (lib/access)', () => {
  it('lets a key send its rate, then asks it to wait at least a second; other keys are counted apart', async () => {
    const limit = createRateLimit({ perSecond: 3, burst: 0 });
    const waits = [];
    for (let request = 0; request < 4; request += 1) waits.push(await limit.take('a'));
    expect(waits.slice(0, 3)).to.deep.equal([undefined, undefined, undefined]);
    expect(waits[3]).to.be.a('number').and.to.be.at.least(1);
    expect(await limit.take('b')).to.equal(undefined);
  });

  it('lets a burst above the rate through, up to the burst', async () => {
    const limit = createRateLimit({ perSecond: 2, burst: 3 });
    const waits = [];
    for (let request = 0; request < 6; request += 1) waits.push(await limit.take('a'));
    expect(waits.filter((wait) => wait === undefined)).to.have.length(5);
    expect(waits[5]).to.be.at.least(1);
  });

  it('limits nothing at 0', async () => {
    const limit = createRateLimit({ perSecond: 0, burst: 0 });
    for (let request = 0; request < 100; request += 1) expect(await limit.take('a')).to.equal(undefined);
  });
});
