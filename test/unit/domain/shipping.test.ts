import { expect } from 'chai';
import { Decimal, shippingCost } from '../../../src/domain';

function shipping(total: string): string {
  return shippingCost(new Decimal(total)).toFixed(2);
}

describe('shippingCost', () => {
  it('is 2% of the total', () => {
    expect(shipping('10.00')).to.equal('0.20');
    expect(shipping('59.97')).to.equal('1.20'); // 1.1994
    expect(shipping('100')).to.equal('2.00');
  });

  it('rounds an exact half cent up: 0.25 -> 0.005 -> 0.01', () => {
    expect(shipping('0.25')).to.equal('0.01');
    expect(shipping('0.75')).to.equal('0.02'); // 0.015
    expect(shipping('1.25')).to.equal('0.03'); // 0.025: half-up, not half-even (which gives 0.02)
  });

  it('rounds just below half a cent down: 0.24 -> 0.0048 -> 0.00', () => {
    expect(shipping('0.24')).to.equal('0.00');
    expect(shipping('1.24')).to.equal('0.02'); // 0.0248
  });

  it('rounds just above half a cent up', () => {
    expect(shipping('0.26')).to.equal('0.01'); // 0.0052
  });

  it('is exact at the largest total, beyond float precision', () => {
    expect(shipping('9999999999.99')).to.equal('200000000.00'); // 199999999.9998
    expect(shipping('9999999999.75')).to.equal('200000000.00'); // 199999999.995 rounds up
    expect(shipping('9999999999.74')).to.equal('199999999.99'); // 199999999.9948
  });

  it('is zero for a zero total', () => {
    expect(shipping('0')).to.equal('0.00');
  });

  it('returns whole cents', () => {
    expect(shippingCost(new Decimal('123.45')).decimalPlaces()).to.be.at.most(2);
  });

  it('does not depend on the global Decimal precision', () => {
    const saved = Decimal.precision;
    Decimal.set({ precision: 5 });
    try {
      expect(shipping('9999999999.75')).to.equal('200000000.00');
    } finally {
      Decimal.set({ precision: saved });
    }
  });
});
