import { expect } from 'chai';
import { Decimal, toOrderJson, type Order } from '../../../src/domain';

describe('toOrderJson', () => {
  const order: Order = {
    orderId: 'ORDER-1',
    customerId: 'CUST-1',
    orderDate: new Date(Date.UTC(2024, 1, 29, 8, 5, 3, 7)),
    items: [
      { itemId: 'ITEM-1', quantity: 3, price: new Decimal('19.99') },
      { itemId: 'ITEM-2', quantity: 1, price: new Decimal('5.5') },
    ],
    totalAmount: new Decimal('65.47'),
    currency: 'EUR',
    status: 'paid',
  };

  it('writes money as 2-decimal strings and the date as UTC ISO 8601', () => {
    expect(toOrderJson(order)).to.deep.equal({
      orderId: 'ORDER-1',
      customerId: 'CUST-1',
      orderDate: '2024-02-29T08:05:03.007Z',
      items: [
        { itemId: 'ITEM-1', quantity: 3, price: '19.99' },
        { itemId: 'ITEM-2', quantity: 1, price: '5.50' },
      ],
      totalAmount: '65.47',
      currency: 'EUR',
      status: 'paid',
    });
  });

  it('survives JSON serialisation unchanged (no Decimal or Date objects left)', () => {
    const json = toOrderJson(order);
    expect(JSON.parse(JSON.stringify(json))).to.deep.equal(json);
  });
});
