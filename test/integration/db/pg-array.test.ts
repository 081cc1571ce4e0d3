import { expect } from 'chai';
import { byteaArray, textArray, timestampArray, unquotedArray } from '../../../src/lib/db';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-env';
import { CART_DATABASE } from '../../../src/cart-service';

/** The array literals the batch writes send as parameters, read back by PostgreSQL itself. */
describe('PostgreSQL array literals', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase(CART_DATABASE);
  });
  after(async () => {
    await db?.destroy();
  });

  async function unnest(literal: string, type: string): Promise<unknown[]> {
    const { rows } = (await db.knex.raw(`SELECT unnest(?::${type}[]) AS value`, [literal])) as { rows: Array<{ value: unknown }> };
    return rows.map((row) => row.value);
  }

  it('keeps every text exactly: quotes, backslashes, commas, braces, spaces, NULL as a word, and null', async () => {
    const values = ['plain', 'say "hi"', 'back\\slash', 'a,b', '{x}', ' padded ', 'NULL', '', 'ünï😀', null];
    expect(await unnest(textArray(values), 'text')).to.deep.equal(values);
  });

  it('keeps numbers, amounts and UUIDs unquoted, and refuses a value that would need quoting', async () => {
    expect(await unnest(unquotedArray([1, 20, 300]), 'int')).to.deep.equal([1, 20, 300]);
    expect(await unnest(unquotedArray(['0.01', '9999999999.99']), 'numeric')).to.deep.equal(['0.01', '9999999999.99']);
    expect(await unnest(unquotedArray(['3f2b8a54-1c2d-4e5f-8a9b-0c1d2e3f4a5b']), 'uuid')).to.deep.equal(['3f2b8a54-1c2d-4e5f-8a9b-0c1d2e3f4a5b']);
    expect(() => unquotedArray(['a,b'])).to.throw(TypeError, /needs quoting/);
    expect(() => unquotedArray(['say "hi"'])).to.throw(TypeError);
    expect(() => unquotedArray(['NULL']), 'the word NULL would read as null').to.throw(TypeError);
    expect(() => unquotedArray([''])).to.throw(TypeError);
  });

  it('keeps every byte: empty, NUL, quote and backslash bytes, and high bytes', async () => {
    const values = [Buffer.alloc(0), Buffer.from([0, 34, 92, 123, 125, 44, 255]), Buffer.from('Confluent wire format \u0000\u0000\u0000\u0001')];
    const read = (await unnest(byteaArray(values), 'bytea')) as Buffer[];
    expect(read.map((value) => value.toString('hex'))).to.deep.equal(values.map((value) => value.toString('hex')));
  });

  it('keeps every instant to the millisecond, the same instant repeated, and years outside 1-9999', async () => {
    const dates = [new Date('2026-12-02T10:00:00.123Z'), new Date('2026-12-02T10:00:00.123Z'), new Date('0001-01-01T00:00:00.000Z'), new Date('1800-01-01T00:00:00.000Z')];
    const read = (await unnest(timestampArray(dates), 'timestamptz')) as Date[];
    expect(read.map((date) => date.toISOString())).to.deep.equal(dates.map((date) => date.toISOString()));
    const beforeYearOne = new Date(Date.UTC(0, 0, 1) - 86_400_000 * 365);
    const [bc] = (await unnest(timestampArray([beforeYearOne]), 'timestamptz')) as Date[];
    expect(bc?.getTime()).to.equal(beforeYearOne.getTime());
  });
});
