import { expect } from 'chai';
import { Decimal } from '../../../src/domain';
import type { BatchPlan, NewOrder, PendingUpdate } from '../../../src/order-service/order-event-handler';
import { checkDisjointWrites } from '../../../src/order-service/order-repository';

const position = { topic: 'order-events', partition: 0, offset: '1' };
const newOrder = (orderId: string): NewOrder => ({
  order: { orderId, customerId: 'C', orderDate: new Date(0), items: [], totalAmount: new Decimal('1.00'), currency: 'EUR', status: 'pending' },
  status: 'pending',
  shippingCost: new Decimal('0.02'),
  sourceTopic: 'order-events',
});
const parked = (eventId: string): PendingUpdate => ({ eventId, orderId: 'O-2', status: 'confirmed', occurredAt: new Date(0), position });
const plan = (changes: Partial<BatchPlan>): BatchPlan => ({ newOrders: [], statusChanges: new Map(), history: [], parked: [], unparked: [], outcomes: [], ...changes });

describe('the batch write statement: a plan must touch disjoint rows', () => {
  it('accepts a plan whose status changes are of other orders than those it creates, and parks and unparks different updates', () => {
    expect(() => checkDisjointWrites(plan({ newOrders: [newOrder('O-1')], statusChanges: new Map([['O-2', 'paid']]), parked: [parked('e-1')], unparked: ['e-2'] }))).to.not.throw();
  });

  it('refuses a status change of an order the plan also creates (the statement would not see the new row)', () => {
    expect(() => checkDisjointWrites(plan({ newOrders: [newOrder('O-1')], statusChanges: new Map([['O-1', 'paid']]) }))).to.throw("order 'O-1'");
  });

  it('refuses an update both parked and unparked', () => {
    expect(() => checkDisjointWrites(plan({ parked: [parked('e-1')], unparked: ['e-1'] }))).to.throw("event 'e-1'");
  });
});
