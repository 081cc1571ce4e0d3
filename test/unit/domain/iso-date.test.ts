import { expect } from 'chai';
import { parseIsoDateTime } from '../../../src/domain';

function iso(value: string): string | undefined {
  return parseIsoDateTime(value)?.toISOString();
}

describe('parseIsoDateTime', () => {
  describe('date-times', () => {
    it('reads a UTC date-time', () => {
      expect(iso('2024-05-01T12:30:45Z')).to.equal('2024-05-01T12:30:45.000Z');
    });

    it('reads fractional seconds of 1 to 9 digits, keeping milliseconds', () => {
      expect(iso('2024-05-01T12:30:45.1Z')).to.equal('2024-05-01T12:30:45.100Z');
      expect(iso('2024-05-01T12:30:45.123Z')).to.equal('2024-05-01T12:30:45.123Z');
      expect(iso('2024-05-01T12:30:45.123456789Z')).to.equal('2024-05-01T12:30:45.123Z');
    });

    it('applies a positive or negative offset', () => {
      expect(iso('2024-05-01T12:30:00+02:00')).to.equal('2024-05-01T10:30:00.000Z');
      expect(iso('2024-05-01T12:30:00-05:30')).to.equal('2024-05-01T18:00:00.000Z');
      expect(iso('2024-05-01T00:30:00+01:00')).to.equal('2024-04-30T23:30:00.000Z');
    });

    it('refuses an instant outside the years 0001-9999 in UTC, even when its local date is inside', () => {
      expect(iso('9999-12-31T23:30:00-01:00')).to.equal(undefined);
      expect(iso('0000-01-01T00:00:00+00:01')).to.equal(undefined);
      expect(iso('0000-12-31')).to.equal(undefined);
      expect(iso('9999-12-31T23:59:59.999Z')).to.equal('9999-12-31T23:59:59.999Z');
      expect(iso('0001-01-01T00:00:00Z')).to.equal('0001-01-01T00:00:00.000Z');
      expect(iso('0001-01-01T00:30:00+00:30')).to.equal('0001-01-01T00:00:00.000Z');
    });

    it('reads the first and last instants of a day', () => {
      expect(iso('2024-12-31T23:59:59Z')).to.equal('2024-12-31T23:59:59.000Z');
      expect(iso('2024-01-01T00:00:00Z')).to.equal('2024-01-01T00:00:00.000Z');
    });

    it('refuses times that do not exist', () => {
      for (const value of ['2024-05-01T24:00:00Z', '2024-05-01T23:60:00Z', '2024-05-01T23:59:60Z']) {
        expect(iso(value), value).to.equal(undefined);
      }
    });

    it('refuses offsets that do not exist', () => {
      expect(iso('2024-05-01T12:00:00+24:00')).to.equal(undefined);
      expect(iso('2024-05-01T12:00:00+01:60')).to.equal(undefined);
    });

    it('refuses date-times without an offset, since their instant is unknown', () => {
      expect(iso('2024-05-01T12:30:00')).to.equal(undefined);
    });

    it('refuses loose formats that new Date() would accept', () => {
      for (const value of [
        '2024-05-01 12:30:00Z',
        '2024-05-01t12:30:00z',
        '2024-5-1',
        '2024-05-01T12:30Z',
        '2024-05-01T12:30:00+0200',
        '2024-05-01T12:30:00.Z',
        'May 1, 2024',
        '1714566600000',
        '20240501',
        '+002024-05-01',
        ' 2024-05-01',
        '2024-05-01T12:30:00Z ',
        '',
      ]) {
        expect(iso(value), value).to.equal(undefined);
      }
    });
  });

  describe('calendar dates', () => {
    it('reads a plain date as midnight UTC', () => {
      expect(iso('2024-05-01')).to.equal('2024-05-01T00:00:00.000Z');
    });

    it('accepts 29 February in a leap year', () => {
      expect(iso('2024-02-29')).to.equal('2024-02-29T00:00:00.000Z');
      expect(iso('2000-02-29T10:00:00Z')).to.equal('2000-02-29T10:00:00.000Z'); // divisible by 400
    });

    it('refuses 29 February outside leap years', () => {
      expect(iso('2023-02-29')).to.equal(undefined);
      expect(iso('1900-02-29')).to.equal(undefined); // divisible by 100, not by 400
      expect(iso('2023-02-29T10:00:00Z')).to.equal(undefined);
    });

    it('refuses months that do not exist', () => {
      expect(iso('2024-13-01')).to.equal(undefined);
      expect(iso('2024-00-10')).to.equal(undefined);
    });

    it('refuses the 31st of a 30-day month', () => {
      for (const month of ['04', '06', '09', '11']) expect(iso(`2024-${month}-31`), month).to.equal(undefined);
      expect(iso('2024-04-30')).to.equal('2024-04-30T00:00:00.000Z');
    });

    it('refuses day 0 and day 32', () => {
      expect(iso('2024-01-00')).to.equal(undefined);
      expect(iso('2024-01-32')).to.equal(undefined);
    });

    it('keeps two-digit years literal instead of mapping them to 19xx', () => {
      expect(parseIsoDateTime('0099-06-15')?.getUTCFullYear()).to.equal(99);
    });
  });

  it('returns undefined for non-strings, including Date objects and epoch numbers', () => {
    for (const value of [null, undefined, 1714566600000, new Date(), {}, ['2024-05-01']]) {
      expect(parseIsoDateTime(value)).to.equal(undefined);
    }
  });
});
