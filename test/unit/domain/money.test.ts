import { expect } from 'chai';
import { AppError } from '../../../src/errors';
import { Decimal, formatMoney, fromMinorUnits, parseMoney, sumLineItems, toMinorUnits } from '../../../src/domain';

function parsed(value: unknown, positive = false): string {
  const result = parseMoney(value, 'price', { positive });
  if (!result.ok) throw new Error(`expected ${String(value)} to parse, got: ${result.error.message}`);
  return result.value.toFixed();
}

function rejection(value: unknown, positive = false): string {
  const result = parseMoney(value, 'items[0].price', { positive });
  if (result.ok) throw new Error(`expected ${String(value)} to be rejected, got ${result.value.toFixed()}`);
  expect(result.error.field).to.equal('items[0].price');
  return result.error.message;
}

describe('money', () => {
  describe('parseMoney', () => {
    it('reads a JSON number through its shortest decimal form, not its binary value', () => {
      expect(parsed(19.99)).to.equal('19.99');
      expect(parsed(0.1)).to.equal('0.1');
      expect(parsed(1234567890.12)).to.equal('1234567890.12');
    });

    it('reads decimal strings with up to 2 decimals, and whole amounts', () => {
      expect(parsed('59.97')).to.equal('59.97');
      expect(parsed('5.5')).to.equal('5.5');
      expect(parsed('42')).to.equal('42');
      expect(parsed(42)).to.equal('42');
    });

    it('judges decimals by value, so trailing zeros do not count', () => {
      expect(parsed('1.500')).to.equal('1.5');
      expect(parsed(1.5)).to.equal('1.5');
    });

    it('when a number has more than 2 decimals, it names the field and the value', () => {
      expect(rejection(1.005)).to.equal('items[0].price must have at most 2 decimal places, got 1.005');
    });

    it('when a float sum leaks binary noise (0.1 + 0.2), it is refused rather than rounded', () => {
      expect(rejection(0.1 + 0.2)).to.include('at most 2 decimal places');
    });

    it('when a string has more than 2 decimals, it is refused', () => {
      expect(rejection('19.999')).to.include('at most 2 decimal places, got "19.999"');
    });

    it('accepts the largest amount Avro decimal(12,2) holds: 10 integer digits', () => {
      expect(parsed('9999999999.99')).to.equal('9999999999.99');
    });

    it('when an amount has 11 integer digits, it is refused', () => {
      expect(rejection('10000000000')).to.include('at most 10 integer digits');
      expect(rejection(1e10)).to.include('at most 10 integer digits');
      expect(rejection(1e21)).to.include('at most 10 integer digits');
    });

    it('when the value is not finite, it is refused', () => {
      expect(rejection(Number.POSITIVE_INFINITY)).to.include('must be a finite amount');
      expect(rejection(Number.NaN)).to.include('must be a finite amount');
    });

    it('when a string is not a plain decimal, it is refused', () => {
      for (const text of ['', ' 1.00', '1.00 ', '1e2', '+1', '1.', '.5', '01.50', '1,00', 'abc', '0x10', 'Infinity']) {
        expect(rejection(text), JSON.stringify(text)).to.include('must be a decimal amount like "59.97"');
      }
    });

    it('when the value is neither number nor string, it says what it got', () => {
      expect(rejection(true)).to.equal('items[0].price must be a decimal amount (a number or a string like "59.97"), got true');
      expect(rejection(null)).to.include('got null');
      expect(rejection({ amount: 1 })).to.include('got a object');
      expect(rejection([1])).to.include('got an array of 1');
    });

    it('when the value is missing, it says it is required', () => {
      expect(rejection(undefined)).to.equal('items[0].price is required');
    });

    it('accepts zero and negative amounts unless the caller requires a positive one', () => {
      expect(parsed(0)).to.equal('0');
      expect(parsed('-5.25')).to.equal('-5.25');
      expect(rejection(0, true)).to.equal('items[0].price must be greater than 0, got 0');
      expect(rejection('-0.01', true)).to.include('must be greater than 0');
      expect(parsed('0.01', true)).to.equal('0.01');
    });

    it('reads negative zero as plain zero', () => {
      const result = parseMoney('-0.00', 'x');
      expect(result.ok && formatMoney(result.value)).to.equal('0.00');
    });
  });

  describe('formatMoney', () => {
    it('writes exactly 2 fraction digits', () => {
      expect(formatMoney(new Decimal('59.97'))).to.equal('59.97');
      expect(formatMoney(new Decimal('5.5'))).to.equal('5.50');
      expect(formatMoney(new Decimal('42'))).to.equal('42.00');
      expect(formatMoney(new Decimal('0'))).to.equal('0.00');
      expect(formatMoney(new Decimal('9999999999.99'))).to.equal('9999999999.99');
    });

    it('writes large and small amounts without exponent notation', () => {
      expect(formatMoney(new Decimal('1e21'))).to.equal('1000000000000000000000.00');
      expect(formatMoney(new Decimal('0.01'))).to.equal('0.01');
    });

    it('when the amount has fractions of a cent, it throws instead of rounding silently', () => {
      expect(() => formatMoney(new Decimal('1.005'))).to.throw(AppError, '1.005');
    });
  });

  describe('sumLineItems', () => {
    it('sums price x quantity exactly where floats would drift (0.10 + 0.20, 3 x 1.10)', () => {
      const items = [
        { price: new Decimal('0.10'), quantity: 1 },
        { price: new Decimal('0.20'), quantity: 1 },
        { price: new Decimal('1.10'), quantity: 3 },
      ];
      expect(sumLineItems(items).toFixed()).to.equal('3.6');
      expect(0.1 + 0.2 + 1.1 * 3).to.not.equal(3.6); // the float answer this guards against
    });

    it('stays exact at the limits: 100 lines of 10,000 x 9,999,999,999.99', () => {
      const items = Array.from({ length: 100 }, () => ({ price: new Decimal('9999999999.99'), quantity: 10_000 }));
      expect(sumLineItems(items).toFixed()).to.equal('9999999999990000');
    });

    it('is zero for no items', () => {
      expect(sumLineItems([]).isZero()).to.equal(true);
    });

    it('does not depend on the global Decimal precision', () => {
      const saved = Decimal.precision;
      Decimal.set({ precision: 5 });
      try {
        expect(sumLineItems([{ price: new Decimal('1234567.89'), quantity: 3 }]).toFixed()).to.equal('3703703.67');
      } finally {
        Decimal.set({ precision: saved });
      }
    });

    it('returns a plain Decimal that compares deeply with one built directly', () => {
      expect(sumLineItems([{ price: new Decimal('19.99'), quantity: 3 }])).to.deep.equal(new Decimal('59.97'));
    });
  });

  describe('minor units', () => {
    it('converts to cents exactly', () => {
      expect(toMinorUnits(new Decimal('59.97'))).to.equal(5997n);
      expect(toMinorUnits(new Decimal('0.2'))).to.equal(20n);
      expect(toMinorUnits(new Decimal('-1.05'))).to.equal(-105n);
      expect(toMinorUnits(new Decimal('0'))).to.equal(0n);
      expect(toMinorUnits(new Decimal('9999999999.99'))).to.equal(999999999999n);
    });

    it('converts cents past the default 20-digit precision without rounding', () => {
      const amount = new Decimal('123456789012345678901234.56');
      expect(toMinorUnits(amount)).to.equal(12345678901234567890123456n);
      expect(fromMinorUnits(12345678901234567890123456n).toFixed()).to.equal('123456789012345678901234.56');
    });

    it('converts from cents exactly', () => {
      expect(fromMinorUnits(5997n).toFixed()).to.equal('59.97');
      expect(fromMinorUnits(5n).toFixed()).to.equal('0.05');
      expect(fromMinorUnits(-105n).toFixed()).to.equal('-1.05');
      expect(fromMinorUnits(0n).isZero()).to.equal(true);
    });

    it('round-trips every cent value in a range', () => {
      for (let cents = -250n; cents <= 250n; cents += 1n) {
        expect(toMinorUnits(fromMinorUnits(cents))).to.equal(cents);
      }
    });

    it('when the amount has fractions of a cent, it throws', () => {
      expect(() => toMinorUnits(new Decimal('0.001'))).to.throw(AppError, '0.001');
    });
  });
});
