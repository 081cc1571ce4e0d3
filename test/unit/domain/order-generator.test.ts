import { expect } from 'chai';
import { AppError } from '../../../src/errors';
import { GENERATED_CATALOGUE, GENERATED_CURRENCIES, generateOrder, sumLineItems, toOrderJson, validateOrder } from '../../../src/domain';
import { seededRandom } from './seeded-random';

const NOW = new Date('2024-05-01T12:00:00.000Z');

describe('generateOrder', () => {
  it('for many seeds, generates orders that pass validation as new orders, JSON round trip included', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const numItems = 1 + (seed % 100);
      const order = generateOrder(`ORDER-${seed}`, numItems, seededRandom(seed), NOW);
      const result = validateOrder(toOrderJson(order), { newOrder: true });
      expect(result.ok, `seed ${seed}: ${JSON.stringify(!result.ok && result.errors)}`).to.equal(true);
      expect(result.ok && result.order).to.deep.equal(order);
    }
  });

  it('keeps every generated value within its documented bounds', () => {
    const currencies = new Set<string>();
    const items = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const order = generateOrder('ORDER-1', 10, seededRandom(seed), NOW);
      currencies.add(order.currency);
      expect(order.customerId).to.match(/^CUST-[1-9]\d{3}$/);
      for (const item of order.items) {
        items.add(item.itemId);
        expect(item.quantity).to.be.within(1, 5);
        expect(Number.isInteger(item.quantity)).to.equal(true);
        expect(item.price.gte('1.00') && item.price.lte('500.00'), item.price.toFixed()).to.equal(true);
        expect(item.price.decimalPlaces()).to.be.at.most(2);
      }
    }
    expect([...currencies].sort()).to.deep.equal([...GENERATED_CURRENCIES].sort());
    expect([...items].sort(), 'every catalogue item drawn, and nothing else').to.deep.equal([...GENERATED_CATALOGUE].sort());
    expect(GENERATED_CATALOGUE).to.have.length(20);
  });

  it('uses the given order id, item count, date and pending status', () => {
    const order = generateOrder('ORDER-001', 3, seededRandom(7), NOW);
    expect(order.orderId).to.equal('ORDER-001');
    expect(order.items).to.have.lengthOf(3);
    expect(order.orderDate.toISOString()).to.equal('2024-05-01T12:00:00.000Z');
    expect(order.orderDate).to.not.equal(NOW); // a copy: mutating one never changes the other
    expect(order.status).to.equal('pending');
  });

  it('totals exactly the sum of its lines', () => {
    const order = generateOrder('ORDER-1', 50, seededRandom(99), NOW);
    expect(order.totalAmount.equals(sumLineItems(order.items))).to.equal(true);
    expect(order.totalAmount.gt(0)).to.equal(true);
  });

  it('is deterministic for a seeded random source', () => {
    const first = generateOrder('ORDER-1', 5, seededRandom(42), NOW);
    const second = generateOrder('ORDER-1', 5, seededRandom(42), NOW);
    expect(toOrderJson(first)).to.deep.equal(toOrderJson(second));
    expect(toOrderJson(generateOrder('ORDER-1', 5, seededRandom(43), NOW))).to.not.deep.equal(toOrderJson(first));
  });

  it('reaches both ends of the price range for a source at its extremes', () => {
    const lowest = generateOrder('O', 1, () => 0, NOW);
    const highest = generateOrder('O', 1, () => 0.999999999, NOW);
    expect(lowest.items[0]?.price.toFixed(2)).to.equal('1.00');
    expect(highest.items[0]?.price.toFixed(2)).to.equal('500.00');
    expect(lowest.items[0]?.quantity).to.equal(1);
    expect(highest.items[0]?.quantity).to.equal(5);
  });

  it('defaults to Math.random and the current time', () => {
    const before = Date.now();
    const order = generateOrder('ORDER-1', 2);
    expect(order.orderDate.getTime()).to.be.within(before, Date.now());
    expect(validateOrder(toOrderJson(order), { newOrder: true }).ok).to.equal(true);
  });

  it('when numItems is out of range or fractional, it throws VALIDATION_FAILED naming numItems', () => {
    for (const numItems of [0, 101, 1.5, Number.NaN]) {
      expect(() => generateOrder('ORDER-1', numItems), String(numItems))
        .to.throw(AppError, 'numItems')
        .with.property('code', 'VALIDATION_FAILED');
    }
  });
});
