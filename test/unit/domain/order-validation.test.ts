import { expect } from 'chai';
import type { FieldError } from '../../../src/errors';
import {
  Decimal,
  toOrderJson,
  validateCreateRequest,
  validateOrder,
  validateStatusUpdate,
  type Order,
} from '../../../src/domain';

/** A valid order body: 2 x 19.99 + 1 x 5.50 = 45.48. */
function validBody(): Record<string, unknown> {
  return {
    orderId: 'ORDER-001',
    customerId: 'CUST-1234',
    orderDate: '2024-05-01T12:00:00Z',
    items: [
      { itemId: 'ITEM-001', quantity: 2, price: 19.99 },
      { itemId: 'ITEM-002', quantity: 1, price: '5.50' },
    ],
    totalAmount: '45.48',
    currency: 'USD',
    status: 'pending',
  };
}

function withItem(index: number, changes: Record<string, unknown>): Record<string, unknown> {
  const body = validBody();
  const items = body.items as Record<string, unknown>[];
  items[index] = { ...items[index], ...changes };
  return body;
}

function without(field: string): Record<string, unknown> {
  const body = validBody();
  delete body[field];
  return body;
}

function errorsOf(body: unknown, newOrder = false): FieldError[] {
  const result = validateOrder(body, { newOrder });
  if (result.ok) throw new Error(`expected the body to be invalid: ${JSON.stringify(body)}`);
  return result.errors;
}

function accepted(body: unknown, newOrder = false): Order {
  const result = validateOrder(body, { newOrder });
  if (!result.ok) throw new Error(`expected the body to be valid: ${JSON.stringify(result.errors)}`);
  return result.order;
}

/** Asserts exactly one error, on `field`, and returns its message. */
function onlyError(body: unknown, field: string, newOrder = false): string {
  const errors = errorsOf(body, newOrder);
  expect(errors.map((e) => e.field), JSON.stringify(errors)).to.deep.equal([field]);
  const [error] = errors;
  expect(error?.message.startsWith(`${field} `), error?.message).to.equal(true);
  return error?.message ?? '';
}

describe('validateOrder', () => {
  it('reads a valid body into an order with exact money and a real date', () => {
    const order = accepted(validBody());
    expect(order.orderId).to.equal('ORDER-001');
    expect(order.customerId).to.equal('CUST-1234');
    expect(order.orderDate.toISOString()).to.equal('2024-05-01T12:00:00.000Z');
    expect(order.items).to.have.lengthOf(2);
    expect(order.items[0]?.price).to.deep.equal(new Decimal('19.99'));
    expect(order.items[1]?.quantity).to.equal(1);
    expect(order.totalAmount).to.deep.equal(new Decimal('45.48'));
    expect(order.currency).to.equal('USD');
    expect(order.status).to.equal('pending');
  });

  it('ignores unknown extra fields', () => {
    const order = accepted({ ...validBody(), coupon: 'X', items: [{ itemId: 'A', quantity: 1, price: 1, colour: 'red' }], totalAmount: 1 });
    expect(order).to.not.have.property('coupon');
    expect(order.items[0]).to.not.have.property('colour');
  });

  it('reads back what toOrderJson wrote', () => {
    const order = accepted(validBody());
    expect(accepted(toOrderJson(order))).to.deep.equal(order);
  });

  it('when the body is not an object, it reports the body', () => {
    for (const body of [null, undefined, 'order', 42, [validBody()]]) {
      expect(onlyError(body, 'body'), JSON.stringify(body)).to.match(/^body (must be a JSON object|is required)/);
    }
  });

  describe('ids', () => {
    for (const field of ['orderId', 'customerId']) {
      it(`when ${field} is missing, it reports ${field} as required`, () => {
        expect(onlyError(without(field), field)).to.equal(`${field} is required`);
      });

      it(`when ${field} is empty or blank, it reports ${field}`, () => {
        expect(onlyError({ ...validBody(), [field]: '' }, field)).to.include('must not be empty');
        expect(onlyError({ ...validBody(), [field]: '   ' }, field)).to.include('must not be empty');
      });

      it(`when ${field} is not a string, it names the value`, () => {
        expect(onlyError({ ...validBody(), [field]: 17 }, field)).to.equal(`${field} must be a string, got 17`);
      });

      it(`when ${field} is longer than 64 characters, it reports ${field}`, () => {
        expect(onlyError({ ...validBody(), [field]: 'x'.repeat(65) }, field)).to.include('at most 64 characters');
        expect(accepted({ ...validBody(), [field]: 'x'.repeat(64) })).to.have.property(field, 'x'.repeat(64));
      });

      it(`when ${field} contains a control character, it reports ${field}`, () => {
        expect(onlyError({ ...validBody(), [field]: 'A\u0000B' }, field)).to.include('control characters');
        expect(onlyError({ ...validBody(), [field]: 'A\nB' }, field)).to.include('control characters');
      });

      it(`when ${field} holds a lone UTF-16 surrogate, it reports ${field}, while an emoji (a surrogate pair) is fine`, () => {
        expect(onlyError({ ...validBody(), [field]: 'A\ud800B' }, field)).to.include('well-formed Unicode');
        expect(accepted({ ...validBody(), [field]: 'A\u{1F600}B' })).to.have.property(field, 'A\u{1F600}B');
      });
    }

    it('trims surrounding whitespace and keeps the trimmed id', () => {
      expect(accepted({ ...validBody(), orderId: '  ORDER-9 \t' }).orderId).to.equal('ORDER-9');
    });
  });

  describe('orderDate', () => {
    it('accepts a date-time with offset and a plain date', () => {
      expect(accepted({ ...validBody(), orderDate: '2024-05-01T14:00:00+02:00' }).orderDate.toISOString()).to.equal(
        '2024-05-01T12:00:00.000Z',
      );
      expect(accepted({ ...validBody(), orderDate: '2024-02-29' }).orderDate.toISOString()).to.equal('2024-02-29T00:00:00.000Z');
    });

    it('when the date does not exist on the calendar, it reports orderDate naming the value', () => {
      expect(onlyError({ ...validBody(), orderDate: '2023-02-29' }, 'orderDate')).to.include('got "2023-02-29"');
      expect(onlyError({ ...validBody(), orderDate: '2024-04-31T10:00:00Z' }, 'orderDate')).to.include('exists on the calendar');
    });

    it('when the instant leaves the years 0001-9999 in UTC, it reports orderDate (the consumer reads dates with the same rule)', () => {
      expect(onlyError({ ...validBody(), orderDate: '9999-12-31T23:30:00-01:00' }, 'orderDate')).to.include('0001-9999 (UTC)');
      expect(onlyError({ ...validBody(), orderDate: '0000-01-01T00:00:00+00:01' }, 'orderDate')).to.include('0001-9999 (UTC)');
    });

    it('when the date is not strict ISO 8601, it reports orderDate', () => {
      onlyError({ ...validBody(), orderDate: '05/01/2024' }, 'orderDate');
      onlyError({ ...validBody(), orderDate: 1714564800000 }, 'orderDate');
    });

    it('when orderDate is missing, it reports it as required', () => {
      expect(onlyError(without('orderDate'), 'orderDate')).to.equal('orderDate is required');
    });
  });

  describe('items', () => {
    it('when items is empty, it reports items', () => {
      expect(onlyError({ ...validBody(), items: [], totalAmount: '1.00' }, 'items')).to.equal('items must contain at least one item');
    });

    it('when items is missing or not an array, it reports items', () => {
      expect(onlyError(without('items'), 'items')).to.equal('items is required');
      expect(onlyError({ ...validBody(), items: { itemId: 'A' } }, 'items')).to.include('must be an array of items');
    });

    it('accepts 100 items and refuses 101', () => {
      const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ itemId: `ITEM-${i}`, quantity: 1, price: '1.00' }));
      expect(accepted({ ...validBody(), items: lines(100), totalAmount: '100.00' }).items).to.have.lengthOf(100);
      expect(onlyError({ ...validBody(), items: lines(101), totalAmount: '101.00' }, 'items')).to.include('at most 100 items');
    });

    it('when an item is not an object, it reports that item by index', () => {
      const body = { ...validBody(), items: [{ itemId: 'A', quantity: 1, price: '45.48' }, 'ITEM-1'] };
      expect(onlyError(body, 'items[1]')).to.equal('items[1] must be an object with itemId, quantity and price, got "ITEM-1"');
    });

    it('when itemId is empty, it reports items[i].itemId', () => {
      expect(onlyError(withItem(1, { itemId: '' }), 'items[1].itemId')).to.include('must not be empty');
    });

    it('when itemId is missing, it reports items[i].itemId', () => {
      expect(onlyError(withItem(0, { itemId: undefined }), 'items[0].itemId')).to.equal('items[0].itemId is required');
    });
  });

  describe('quantity', () => {
    const cases: Array<[unknown, string]> = [
      [1.5, 'items[1].quantity must be a whole number, got 1.5'],
      ['2', 'items[1].quantity must be a whole number, got "2"'],
      [0, 'items[1].quantity must be at least 1, got 0'],
      [-1, 'items[1].quantity must be at least 1, got -1'],
      [10_001, 'items[1].quantity must be at most 10000, got 10001'],
      [null, 'items[1].quantity must be a whole number, got null'],
      [undefined, 'items[1].quantity is required'],
    ];
    for (const [quantity, message] of cases) {
      it(`when a quantity is ${JSON.stringify(quantity) ?? 'missing'}, it reports items[1].quantity`, () => {
        expect(onlyError(withItem(1, { quantity }), 'items[1].quantity')).to.equal(message);
      });
    }

    it('accepts 1 and 10,000', () => {
      const line = (quantity: number) => ({ ...validBody(), items: [{ itemId: 'A', quantity, price: '0.01' }] });
      expect(accepted({ ...line(1), totalAmount: '0.01' }).items[0]?.quantity).to.equal(1);
      expect(accepted({ ...line(10_000), totalAmount: '100.00' }).items[0]?.quantity).to.equal(10_000);
    });
  });

  describe('price', () => {
    it('when a price is zero or negative, it reports items[i].price', () => {
      expect(onlyError(withItem(0, { price: 0 }), 'items[0].price')).to.equal('items[0].price must be greater than 0, got 0');
      expect(onlyError(withItem(0, { price: '-19.99' }), 'items[0].price')).to.include('greater than 0');
    });

    it('when a price has more than 2 decimals, it reports items[i].price', () => {
      expect(onlyError(withItem(0, { price: 19.999 }), 'items[0].price')).to.include('at most 2 decimal places, got 19.999');
    });

    it('when a price is not a number or decimal string, it reports items[i].price', () => {
      expect(onlyError(withItem(0, { price: '$19.99' }), 'items[0].price')).to.include('got "$19.99"');
      expect(onlyError(withItem(0, { price: undefined }), 'items[0].price')).to.equal('items[0].price is required');
    });
  });

  describe('totalAmount', () => {
    it('when the total differs from the item sum by a cent, it reports totalAmount with both values', () => {
      const message = onlyError({ ...validBody(), totalAmount: '45.47' }, 'totalAmount');
      expect(message).to.include('45.47').and.to.include('45.48');
      expect(onlyError({ ...validBody(), totalAmount: '45.49' }, 'totalAmount')).to.include('45.49');
    });

    it('accepts the total as a number or a string, trailing zeros included', () => {
      expect(accepted({ ...validBody(), totalAmount: 45.48 }).totalAmount.toFixed(2)).to.equal('45.48');
      expect(accepted({ ...validBody(), totalAmount: '45.480' }).totalAmount.toFixed(2)).to.equal('45.48');
    });

    it('compares exactly where float sums would drift (0.10 + 0.20 = 0.30)', () => {
      const body = {
        ...validBody(),
        items: [
          { itemId: 'A', quantity: 1, price: 0.1 },
          { itemId: 'B', quantity: 1, price: 0.2 },
        ],
      };
      expect(accepted({ ...body, totalAmount: 0.3 }).totalAmount.toFixed(2)).to.equal('0.30');
      expect(onlyError({ ...body, totalAmount: 0.1 + 0.2 }, 'totalAmount')).to.include('got 0.30000000000000004');
    });

    it('when the total is zero or negative, it reports totalAmount', () => {
      expect(onlyError({ ...validBody(), totalAmount: 0 }, 'totalAmount')).to.include('greater than 0');
    });

    it('when the total has more than 2 decimals or 10 integer digits, it reports totalAmount', () => {
      expect(onlyError({ ...validBody(), totalAmount: '45.481' }, 'totalAmount')).to.include('at most 2 decimal places');
      expect(onlyError({ ...validBody(), totalAmount: '12345678901.00' }, 'totalAmount')).to.include('10 integer digits');
    });

    it('when totalAmount is missing, it reports it as required', () => {
      expect(onlyError(without('totalAmount'), 'totalAmount')).to.equal('totalAmount is required');
    });

    it('still compares the total when another field is broken', () => {
      const errors = errorsOf({ ...validBody(), currency: 'usd', totalAmount: '1.00' });
      expect(errors.map((e) => e.field)).to.have.members(['currency', 'totalAmount']);
    });

    it('does not compare the total when an item is broken (no sum exists)', () => {
      const errors = errorsOf({ ...withItem(0, { quantity: 0 }), totalAmount: '1.00' });
      expect(errors.map((e) => e.field)).to.deep.equal(['items[0].quantity']);
    });
  });

  describe('currency', () => {
    it('when the currency is three capitals but not ISO 4217, it reports currency naming the value', () => {
      expect(onlyError({ ...validBody(), currency: 'ABC' }, 'currency')).to.include('got "ABC"');
    });

    it('when the currency is lower case, it reports currency', () => {
      onlyError({ ...validBody(), currency: 'usd' }, 'currency');
    });

    it('when the currency is missing or not a string, it reports currency', () => {
      expect(onlyError(without('currency'), 'currency')).to.equal('currency is required');
      expect(onlyError({ ...validBody(), currency: 840 }, 'currency')).to.include('got 840');
    });

    it('accepts a real currency whose ISO minor unit is not 2, with 2-decimal money', () => {
      expect(accepted({ ...validBody(), currency: 'JPY' }).currency).to.equal('JPY');
    });

    it('judges a new order by the currencies active today, and an order recorded earlier only by the shape of its code', () => {
      expect(onlyError({ ...validBody(), currency: 'ANG' }, 'currency')).to.include('active ISO 4217');
      const recorded = validateOrder({ ...validBody(), currency: 'ANG' }, { recorded: true });
      expect(recorded.ok && recorded.order.currency).to.equal('ANG');
      const misshapen = validateOrder({ ...validBody(), currency: 'usd' }, { recorded: true });
      expect(misshapen.ok ? [] : misshapen.errors.map((error) => error.field)).to.deep.equal(['currency']);
    });
  });

  describe('status', () => {
    it('defaults to pending when absent', () => {
      expect(accepted(without('status')).status).to.equal('pending');
    });

    it('reads any known status in either vocabulary to its canonical form', () => {
      expect(accepted({ ...validBody(), status: 'SHIPPED' }).status).to.equal('shipped');
      expect(accepted({ ...validBody(), status: 'canceled' }).status).to.equal('cancelled');
    });

    it('when the status is unknown, it reports status listing the known ones', () => {
      const message = onlyError({ ...validBody(), status: 'refunded' }, 'status');
      expect(message).to.include('got "refunded"').and.to.include('pending, confirmed, paid, processing, shipped, delivered, cancelled');
      onlyError({ ...validBody(), status: null }, 'status');
    });

    it('for a new order, accepts pending in any spelling or no status', () => {
      expect(accepted({ ...validBody(), status: 'PENDING' }, true).status).to.equal('pending');
      expect(accepted(without('status'), true).status).to.equal('pending');
    });

    it('for a new order, refuses any other status', () => {
      expect(onlyError({ ...validBody(), status: 'PAID' }, 'status', true)).to.equal(
        `status of a new order must be 'pending', got "paid"`,
      );
    });
  });

  it('reports every broken field at once, each naming its value', () => {
    const errors = errorsOf({
      orderId: '',
      customerId: 5,
      orderDate: '2023-02-29',
      items: [
        { itemId: 'A', quantity: 1.5, price: 1 },
        { itemId: '', quantity: 1, price: '1.001' },
      ],
      totalAmount: -1,
      currency: 'XYZ',
      status: 'lost',
    });
    expect(errors.map((e) => e.field)).to.deep.equal([
      'orderId',
      'customerId',
      'orderDate',
      'items[0].quantity',
      'items[1].itemId',
      'items[1].price',
      'totalAmount',
      'currency',
      'status',
    ]);
    for (const error of errors) expect(error.message.startsWith(`${error.field} `), error.message).to.equal(true);
  });
});

describe('validateStatusUpdate', () => {
  it('reads an order id and a status in any accepted spelling', () => {
    expect(validateStatusUpdate({ orderId: 'ORDER-1', status: 'Canceled' })).to.deep.equal({
      ok: true,
      update: { orderId: 'ORDER-1', status: 'cancelled' },
    });
  });

  it('when the status is missing or unknown, it reports status', () => {
    expect(validateStatusUpdate({ orderId: 'ORDER-1' })).to.deep.equal({
      ok: false,
      errors: [{ field: 'status', message: 'status is required' }],
    });
    const result = validateStatusUpdate({ orderId: 'ORDER-1', status: 'gone' });
    expect(!result.ok && result.errors.map((e) => e.field)).to.deep.equal(['status']);
  });

  it('when both fields are broken, it reports both', () => {
    const result = validateStatusUpdate({ orderId: '', status: 3 });
    expect(!result.ok && result.errors.map((e) => e.field)).to.deep.equal(['orderId', 'status']);
  });

  it('when the body is not an object, it reports the body', () => {
    const result = validateStatusUpdate('pending');
    expect(!result.ok && result.errors.map((e) => e.field)).to.deep.equal(['body']);
  });
});

describe('validateCreateRequest', () => {
  it('reads the short form { orderId, numItems }', () => {
    expect(validateCreateRequest({ orderId: 'ORDER-001', numItems: 3 })).to.deep.equal({
      ok: true,
      request: { kind: 'generate', orderId: 'ORDER-001', numItems: 3 },
    });
  });

  it('reads a body with items as a full order', () => {
    const result = validateCreateRequest(validBody());
    expect(result.ok && result.request.kind).to.equal('order');
    expect(result.ok && result.request.kind === 'order' && result.request.order.totalAmount.toFixed(2)).to.equal('45.48');
  });

  it('treats a body with items as a full order even when numItems is also present', () => {
    const result = validateCreateRequest({ ...validBody(), numItems: 2 });
    expect(result.ok && result.request.kind).to.equal('order');
  });

  it('validates a full body with broken items as a full order', () => {
    const result = validateCreateRequest({ orderId: 'ORDER-1', items: [] });
    expect(!result.ok && result.errors.map((e) => e.field)).to.include.members(['items', 'customerId', 'totalAmount']);
  });

  it('refuses a full order whose status is not pending', () => {
    const result = validateCreateRequest({ ...validBody(), status: 'delivered' });
    expect(!result.ok && result.errors.map((e) => e.field)).to.deep.equal(['status']);
  });

  it('accepts numItems from 1 to 100', () => {
    for (const numItems of [1, 100]) expect(validateCreateRequest({ orderId: 'O', numItems }).ok, String(numItems)).to.equal(true);
  });

  const badNumItems: Array<[unknown, string]> = [
    [0, 'numItems must be at least 1, got 0'],
    [101, 'numItems must be at most 100, got 101'],
    [2.5, 'numItems must be a whole number, got 2.5'],
    ['3', 'numItems must be a whole number, got "3"'],
    [undefined, 'numItems is required, or send a full order with items'],
  ];
  for (const [numItems, message] of badNumItems) {
    it(`when numItems is ${JSON.stringify(numItems) ?? 'missing'}, it reports numItems`, () => {
      expect(validateCreateRequest({ orderId: 'ORDER-1', numItems })).to.deep.equal({
        ok: false,
        errors: [{ field: 'numItems', message }],
      });
    });
  }

  it('when the short form has a bad order id too, it reports both fields', () => {
    const result = validateCreateRequest({ orderId: ' ', numItems: 0 });
    expect(!result.ok && result.errors.map((e) => e.field)).to.deep.equal(['orderId', 'numItems']);
  });

  it('when the body is not an object, it reports the body', () => {
    for (const body of [null, 'x', [1, 2]]) {
      const result = validateCreateRequest(body);
      expect(!result.ok && result.errors.map((e) => e.field), JSON.stringify(body)).to.deep.equal(['body']);
    }
  });
});
