import { expect } from 'chai';
import { ISO_4217_CURRENCIES, isIso4217Currency } from '../../../src/domain';

describe('isIso4217Currency', () => {
  it('accepts active ISO 4217 codes', () => {
    for (const code of ['USD', 'EUR', 'GBP', 'JPY', 'CHF', 'INR', 'BHD', 'XOF', 'SLE', 'VES', 'ZWG']) {
      expect(isIso4217Currency(code), code).to.equal(true);
    }
  });

  it('accepts XCG, which replaced ANG after the package table was published (amendment 176)', () => {
    expect(isIso4217Currency('XCG')).to.equal(true);
    expect(isIso4217Currency('ANG')).to.equal(false);
  });

  it('refuses three capitals that are not a currency', () => {
    for (const code of ['ABC', 'XYZ', 'AAA', 'QQQ']) expect(isIso4217Currency(code), code).to.equal(false);
  });

  it('refuses withdrawn codes', () => {
    for (const code of ['DEM', 'FRF', 'HRK', 'SLL', 'VEF', 'ZWL', 'LTL']) expect(isIso4217Currency(code), code).to.equal(false);
  });

  it('refuses the testing code XTS and the no-currency code XXX', () => {
    expect(isIso4217Currency('XTS')).to.equal(false);
    expect(isIso4217Currency('XXX')).to.equal(false);
  });

  it('accepts only the exact upper-case code', () => {
    for (const code of ['usd', 'Usd', ' USD', 'USD ', 'US', 'USDD', '']) expect(isIso4217Currency(code), code).to.equal(false);
  });

  it('refuses non-strings', () => {
    for (const value of [null, undefined, 840, ['USD'], { code: 'USD' }]) expect(isIso4217Currency(value)).to.equal(false);
  });

  it('holds a table of the expected size, every entry three capitals', () => {
    expect(ISO_4217_CURRENCIES.size).to.be.within(150, 200);
    for (const code of ISO_4217_CURRENCIES) expect(code).to.match(/^[A-Z]{3}$/);
  });
});
