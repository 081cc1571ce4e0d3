import { expect } from 'chai';
import { generateKey, grants, hashSecret, isKeyId, parseBearer, parseKey, ROLES, verifySecret } from '../../../src/lib/access';

describe('API keys (lib/access)', () => {
  describe('generateKey and parseKey', () => {
    it('makes of_<16 hex id>_<43 base64url chars>, which parses back to its id and secret', () => {
      const { keyId, secret, key } = generateKey();
      expect(key).to.match(/^of_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      expect(parseKey(key)).to.deep.equal({ keyId, secret });
      expect(isKeyId(keyId)).to.equal(true);
    });

    it('never makes the same key twice in a thousand', () => {
      const keys = new Set(Array.from({ length: 1000 }, () => generateKey().key));
      expect(keys.size).to.equal(1000);
    });

    it('keeps the secret whole when it holds underscores and dashes', () => {
      const key = `of_0123456789abcdef_${'_-'.repeat(21)}a`;
      expect(parseKey(key)).to.deep.equal({ keyId: '0123456789abcdef', secret: `${'_-'.repeat(21)}a` });
    });

    for (const [what, text] of [
      ['empty', ''],
      ['another prefix', `xx_0123456789abcdef_${'a'.repeat(43)}`],
      ['an id too short', `of_0123456789abcde_${'a'.repeat(43)}`],
      ['an id in capitals', `of_0123456789ABCDEF_${'a'.repeat(43)}`],
      ['a secret too short', `of_0123456789abcdef_${'a'.repeat(42)}`],
      ['a secret too long', `of_0123456789abcdef_${'a'.repeat(44)}`],
      ['a secret with a character outside base64url', `of_0123456789abcdef_${'a'.repeat(42)}+`],
      ['trailing text', `of_0123456789abcdef_${'a'.repeat(43)} x`],
    ] as const) {
      it(`refuses ${what}`, () => {
        expect(parseKey(text)).to.equal(undefined);
      });
    }

    it('tells a key id from anything else', () => {
      expect(isKeyId('0123456789abcdef')).to.equal(true);
      expect(isKeyId('0123456789abcdeg')).to.equal(false);
      expect(isKeyId('')).to.equal(false);
    });
  });

  describe('parseBearer', () => {
    it('reads the token of a Bearer credential, the scheme in any case', () => {
      expect(parseBearer('Bearer abc')).to.deep.equal({ kind: 'bearer', token: 'abc' });
      expect(parseBearer('bearer   abc  ')).to.deep.equal({ kind: 'bearer', token: 'abc' });
    });

    it('counts no header, a blank one, and an empty Bearer (Postman with an empty apiKey) as no credentials', () => {
      expect(parseBearer(undefined)).to.deep.equal({ kind: 'none' });
      expect(parseBearer('  ')).to.deep.equal({ kind: 'none' });
      expect(parseBearer('Bearer')).to.deep.equal({ kind: 'none' });
      expect(parseBearer('Bearer ')).to.deep.equal({ kind: 'none' });
    });

    it('calls another scheme or a token with spaces malformed', () => {
      expect(parseBearer('Basic dXNlcjpwYXNz')).to.deep.equal({ kind: 'malformed' });
      expect(parseBearer('Bearer a b')).to.deep.equal({ kind: 'malformed' });
      expect(parseBearer('Bearerabc')).to.deep.equal({ kind: 'malformed' });
    });
  });

  describe('roles', () => {
    it('nest: admin may do what a writer may, a writer what a reader may, and never the other way', () => {
      expect(ROLES).to.deep.equal(['reader', 'writer', 'admin']);
      const table = ROLES.map((held) => ROLES.map((needed) => grants(held, needed)));
      expect(table).to.deep.equal([
        [true, false, false],
        [true, true, false],
        [true, true, true],
      ]);
    });
  });

  describe('hashSecret and verifySecret', () => {
    it('stores an argon2id hash that verifies the secret and nothing else, and never holds the secret', async () => {
      const { secret } = generateKey();
      const hash = await hashSecret(secret);
      expect(hash).to.match(/^\$argon2id\$/);
      expect(hash).to.not.contain(secret);
      expect(await verifySecret(hash, secret)).to.equal(true);
      expect(await verifySecret(hash, generateKey().secret)).to.equal(false);
    });

    it('calls a malformed stored hash a mismatch instead of throwing', async () => {
      expect(await verifySecret('not a hash', 'x')).to.equal(false);
    });
  });
});
