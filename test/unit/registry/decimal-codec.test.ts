import { expect } from 'chai';
import Decimal from 'decimal.js';
import { bigIntToTwosComplement, bytesToDecimal, decimalToBytes, twosComplementToBigInt } from '../../../src/lib/registry/decimal-codec';

const MONEY = { precision: 12, scale: 2 };

/*
 * Golden bytes: the unscaled value (amount x 100) as the minimal big-endian two's-complement
 * integer, exactly what Java's BigInteger.toByteArray() gives (Avro's reference encoding).
 */
const GOLDEN: Array<[string, string]> = [
  ['0.00', '00'],
  ['0.01', '01'],
  ['1.00', '64'],
  ['1.27', '7f'],
  ['1.28', '0080'],
  ['-0.01', 'ff'],
  ['-1.00', '9c'],
  ['-1.28', '80'],
  ['-1.29', 'ff7f'],
  ['327.67', '7fff'],
  ['327.68', '008000'],
  ['19.99', '07cf'],
  ['9999999999.99', '00e8d4a50fff'],
  ['-9999999999.99', 'ff172b5af001'],
];

describe('decimal codec (Avro decimal as two\'s complement bytes)', () => {
  for (const [amount, hex] of GOLDEN) {
    it(`writes ${amount} as 0x${hex} and reads it back`, () => {
      expect(decimalToBytes(new Decimal(amount), MONEY).toString('hex')).to.equal(hex);
      expect(bytesToDecimal(Buffer.from(hex, 'hex'), 2).toFixed(2)).to.equal(amount);
    });
  }

  it('writes -0 as zero', () => {
    expect(decimalToBytes(new Decimal('-0'), MONEY).toString('hex')).to.equal('00');
  });

  it('writes fewer decimals than the scale by padding: 1.5 is 150 cents', () => {
    expect(decimalToBytes(new Decimal('1.5'), MONEY).toString('hex')).to.equal('0096');
  });

  it('reads non-minimal encodings too (sign-extended bytes are the same number)', () => {
    expect(bytesToDecimal(Buffer.from('000064', 'hex'), 2).toFixed(2)).to.equal('1.00');
    expect(bytesToDecimal(Buffer.from('ffff9c', 'hex'), 2).toFixed(2)).to.equal('-1.00');
  });

  it('reads at the scale of the schema: 0x64 is 100 at scale 0 and 0.100 at scale 3', () => {
    expect(bytesToDecimal(Buffer.from('64', 'hex'), 0).toString()).to.equal('100');
    expect(bytesToDecimal(Buffer.from('64', 'hex'), 3).toFixed(3)).to.equal('0.100');
  });

  it('stays exact beyond decimal.js default precision of 20 digits', () => {
    const spec = { precision: 38, scale: 2 };
    const amount = '123456789012345678901234567890.12';
    expect(bytesToDecimal(decimalToBytes(new Decimal(amount), spec), 2).toFixed(2)).to.equal(amount);
  });

  it('refuses a third decimal place instead of rounding money', () => {
    expect(() => decimalToBytes(new Decimal('1.005'), MONEY)).to.throw(RangeError, '1.005 has 3 decimal places; decimal(12,2) allows at most 2');
  });

  it('refuses a 13th digit for precision 12', () => {
    expect(() => decimalToBytes(new Decimal('10000000000.00'), MONEY)).to.throw(RangeError, 'has 13 digits; decimal(12,2) allows at most 12');
    expect(() => decimalToBytes(new Decimal('-10000000000.00'), MONEY)).to.throw(RangeError, 'has 13 digits');
  });

  it('refuses binary floats and strings: only a Decimal is exact by construction', () => {
    expect(() => decimalToBytes(19.99, MONEY)).to.throw(TypeError, 'expected a decimal.js Decimal for decimal(12,2), got number 19.99');
    expect(() => decimalToBytes('19.99', MONEY)).to.throw(TypeError, "got string '19.99'");
  });

  it('refuses NaN and infinities', () => {
    expect(() => decimalToBytes(new Decimal(NaN), MONEY)).to.throw(RangeError, 'not a finite decimal');
    expect(() => decimalToBytes(new Decimal(Infinity), MONEY)).to.throw(RangeError, 'not a finite decimal');
  });

  it('refuses an empty byte array, as Java does', () => {
    expect(() => bytesToDecimal(Buffer.alloc(0), 2)).to.throw(RangeError, 'at least one byte');
  });

  it('round-trips every boundary of one and two bytes', () => {
    for (const n of [0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, 32767n, 32768n, -32768n, -32769n]) {
      expect(twosComplementToBigInt(bigIntToTwosComplement(n)), String(n)).to.equal(n);
    }
    expect(bigIntToTwosComplement(32767n).length).to.equal(2);
    expect(bigIntToTwosComplement(32768n).length).to.equal(3);
    expect(bigIntToTwosComplement(-32768n).length).to.equal(2);
    expect(bigIntToTwosComplement(-32769n).length).to.equal(3);
  });
});
