import { expect } from 'chai';
import { Decimal, plainlyValidRecordedStatus, validateOrder, type TypedOrder } from '../../../src/domain';

type Mutable = { -readonly [K in keyof TypedOrder]: TypedOrder[K] } & { items: Array<{ itemId: unknown; quantity: unknown; price: unknown }> };

function base(): Mutable {
  return {
    orderId: 'O-1',
    customerId: 'C-1',
    orderDate: new Date('2026-01-01T00:00:00Z'),
    items: [{ itemId: 'I', quantity: 2, price: new Decimal('10.99') }],
    totalAmount: new Decimal('21.98'),
    currency: 'EUR',
    status: 'pending',
  };
}

/** Each case: its name, how it changes the plain order, and the fast path's answer (undefined: validateOrder decides). */
const CASES: Array<[string, (order: Mutable) => void, string?]> = [
  ['a plain order', () => undefined, 'pending'],
  ['a blank id', (order) => (order.orderId = '   ')],
  ['a padded id', (order) => (order.orderId = ' a '), 'pending'],
  ['a 65-character id', (order) => (order.customerId = 'x'.repeat(65))],
  ['a 64-character id', (order) => (order.customerId = 'x'.repeat(64)), 'pending'],
  ['a control character', (order) => (order.items[0]!.itemId = 'a\u0001b')],
  ['a trailing newline', (order) => (order.orderId = 'a\n')],
  ['a lone surrogate', (order) => (order.orderId = 'a\ud800')],
  ['a surrogate pair', (order) => (order.orderId = 'a\ud83d\ude00'), 'pending'],
  ['quantity 0', (order) => (order.items[0]!.quantity = 0)],
  ['quantity 1.5', (order) => (order.items[0]!.quantity = 1.5)],
  ['quantity 10,001', (order) => (order.items[0]!.quantity = 10_001)],
  ['a zero price', (order) => {
    order.items[0]!.price = new Decimal(0);
    order.totalAmount = new Decimal(0);
  }],
  ['a price with 3 decimals', (order) => {
    order.items[0]!.price = new Decimal('10.995');
    order.totalAmount = new Decimal('21.99');
  }],
  ['a price of 10^10', (order) => {
    order.items[0]!.price = new Decimal('1e10');
    order.totalAmount = new Decimal('2e10');
  }],
  ['the largest price', (order) => {
    order.items[0] = { itemId: 'I', quantity: 1, price: new Decimal('9999999999.99') };
    order.totalAmount = new Decimal('9999999999.99');
  }, 'pending'],
  ['a total a cent off', (order) => (order.totalAmount = new Decimal('21.97'))],
  ['negative money', (order) => {
    order.items[0]!.price = new Decimal('-10.99');
    order.totalAmount = new Decimal('-21.98');
  }],
  ['a lower-case currency', (order) => (order.currency = 'eur')],
  ['a withdrawn currency (ANG)', (order) => (order.currency = 'ANG'), 'pending'],
  ['an upper-case status', (order) => (order.status = 'PENDING'), 'pending'],
  ['a status alias', (order) => (order.status = 'canceled'), 'cancelled'],
  ['no status', (order) => (order.status = undefined)],
  ['an unknown status', (order) => (order.status = 'lost')],
  ['the year 10000', (order) => (order.orderDate = new Date('+010000-01-01T00:00:00Z'))],
  ['the year 0', (order) => (order.orderDate = new Date('0000-06-01T00:00:00Z'))],
  ['an invalid date', (order) => (order.orderDate = new Date(Number.NaN))],
  ['no items', (order) => (order.items = [])],
  ['101 items', (order) => {
    order.items = Array.from({ length: 101 }, () => ({ itemId: 'I', quantity: 1, price: new Decimal('1') }));
    order.totalAmount = new Decimal(101);
  }],
  ['a sum beyond safe integers', (order) => {
    order.items = Array.from({ length: 100 }, () => ({ itemId: 'I', quantity: 10_000, price: new Decimal('9999999999.99') }));
    order.totalAmount = new Decimal('9999999999.99').times(1e6);
  }],
  ['a price given as a number', (order) => (order.items[0]!.price = 10.99)],
  ['a price with trailing zeros', (order) => (order.items[0]!.price = new Decimal('10.990')), 'pending'],
];

/** validateOrder's verdict on the same order, read as the consumer reads it (money and date as text). */
function referenceVerdict(order: Mutable): string {
  const date = order.orderDate instanceof Date && !Number.isNaN(order.orderDate.getTime()) ? order.orderDate.toISOString() : 'invalid';
  const text = (value: unknown): unknown => (Decimal.isDecimal(value) ? value.toFixed() : value);
  const result = validateOrder({ ...order, orderDate: date, items: order.items.map((item) => ({ ...item, price: text(item.price) })), totalAmount: text(order.totalAmount) }, { recorded: true });
  return result.ok ? `valid:${result.order.status}` : 'invalid';
}

describe('plainlyValidRecordedStatus: the fast path of the recorded-order check', () => {
  for (const [name, mutate, expected] of CASES) {
    it(`${expected ? `takes the fast path (${expected}), as validateOrder would` : 'leaves the verdict to validateOrder'}: ${name}`, () => {
      const order = base();
      mutate(order);
      const fast = plainlyValidRecordedStatus(order);
      expect(fast).to.equal(expected);
      if (expected !== undefined) expect(referenceVerdict(order), 'validateOrder agrees').to.equal(`valid:${expected}`);
    });
  }
});
