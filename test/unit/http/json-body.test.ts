import { expect } from 'chai';
import { parseJsonLosslessly, readJsonNumber } from '../../../src/lib/http/json-body';

describe('http: JSON bodies read losslessly', () => {
  describe('readJsonNumber', () => {
    it('reads whole numbers within the safe range as JS numbers', () => {
      expect(readJsonNumber('3')).to.equal(3);
      expect(readJsonNumber('-42')).to.equal(-42);
      expect(readJsonNumber('0')).to.equal(0);
      expect(readJsonNumber('9007199254740991')).to.equal(Number.MAX_SAFE_INTEGER);
      expect(readJsonNumber('-9007199254740991')).to.equal(-Number.MAX_SAFE_INTEGER);
    });

    it('reads whole numbers written with a zero fraction or an exponent as numbers too, as JSON.parse does', () => {
      expect(readJsonNumber('2.0')).to.equal(2);
      expect(readJsonNumber('1e2')).to.equal(100);
      expect(readJsonNumber('1.5E+1')).to.equal(15);
      expect(readJsonNumber('12300e-2')).to.equal(123);
    });

    it('keeps fractions as their exact decimal text, never the nearest double', () => {
      expect(readJsonNumber('19.999999999999999')).to.equal('19.999999999999999');
      expect(readJsonNumber('19.99')).to.equal('19.99');
      expect(readJsonNumber('19.990')).to.equal('19.990');
      expect(readJsonNumber('-0.5')).to.equal('-0.5');
      expect(readJsonNumber('1.5')).to.equal('1.5');
    });

    it('writes a fraction with an exponent out plainly, exactly', () => {
      expect(readJsonNumber('1.999e1')).to.equal('19.99');
      expect(readJsonNumber('1e-3')).to.equal('0.001');
      expect(readJsonNumber('-15e-1')).to.equal('-1.5');
      expect(readJsonNumber('0.0001999e4')).to.equal('1.999');
      expect(readJsonNumber('1999999999999999999e-17')).to.equal('19.99999999999999999');
    });

    it('keeps whole numbers beyond Number.MAX_SAFE_INTEGER as their exact text', () => {
      expect(readJsonNumber('9007199254740993')).to.equal('9007199254740993');
      expect(readJsonNumber('-123456789012345678901234567890')).to.equal('-123456789012345678901234567890');
      expect(readJsonNumber('1e20')).to.equal('100000000000000000000');
    });

    it('does not write out a huge exponent, keeping the token as sent', () => {
      expect(readJsonNumber('1e999999999')).to.equal('1e999999999');
      expect(readJsonNumber('1E-400')).to.equal('1E-400');
    });
  });

  describe('parseJsonLosslessly', () => {
    it('reads a whole body: integers as numbers, other numbers as exact text, everything else as JSON.parse does', () => {
      const body = parseJsonLosslessly('{"orderId":"A","numItems":3,"items":[{"quantity":2,"price":19.999999999999999}],"totalAmount":1e2,"ok":true,"none":null}');
      expect(body).to.deep.equal({ orderId: 'A', numItems: 3, items: [{ quantity: 2, price: '19.999999999999999' }], totalAmount: 100, ok: true, none: null });
    });

    it('accepts any JSON value at the top level (strict: false)', () => {
      expect(parseJsonLosslessly('"abc"')).to.equal('abc');
      expect(parseJsonLosslessly(' 7 ')).to.equal(7);
      expect(parseJsonLosslessly('null')).to.equal(null);
    });

    it('lets the last of duplicate keys win and keeps __proto__ an ordinary key, like JSON.parse', () => {
      expect(parseJsonLosslessly('{"a":1,"a":2}')).to.deep.equal({ a: 2 });
      const parsed = parseJsonLosslessly('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
      expect(Object.getPrototypeOf(parsed)).to.equal(Object.prototype);
      expect(Object.keys(parsed)).to.deep.equal(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('throws a SyntaxError for text that is not JSON', () => {
      for (const text of ['{"a":', '{a:1}', '01', '1.', '.5', 'NaN', '   ', "{'a':1}"]) {
        expect(() => parseJsonLosslessly(text), text).to.throw(SyntaxError);
      }
    });
  });
});
