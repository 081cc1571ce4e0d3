import { expect } from 'chai';
import { Decimal } from '../../../src/domain';
import type { ValidEvent } from '../../../src/lib/order-events';
import { draftOfInventoryEvent, draftOfOrderEvent, MAX_ITEMS_NAMED, type InventoryNotice } from '../../../src/notification-service';

const EVENT_ID = '6f1c2b1e-8d1a-4c7e-9a55-0b8f2d1e4c3a';
const CAUSE_ID = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a';
const AT = new Date('2026-11-01T10:00:00.000Z');
const position = { topic: 'order-events', partition: 2, offset: '41' };

function placed(items: Array<[string, number, string]>, total: string): ValidEvent {
  return {
    type: 'OrderCreated',
    eventId: EVENT_ID,
    orderId: 'ORDER-1',
    occurredAt: AT,
    status: 'pending',
    position,
    order: {
      orderId: 'ORDER-1',
      customerId: 'CUST-7',
      orderDate: AT,
      items: items.map(([itemId, quantity, price]) => ({ itemId, quantity, price: new Decimal(price) })),
      totalAmount: new Decimal(total),
      currency: 'EUR',
      status: 'pending',
    },
  };
}

const header = { eventId: EVENT_ID, occurredAt: AT, orderId: 'ORDER-1', causationEventId: CAUSE_ID };
const inventory = (notice: Omit<InventoryNotice, 'schemaId' | 'position'>): InventoryNotice => ({ ...notice, schemaId: 7, position: { ...position, topic: 'inventory-events' } }) as InventoryNotice;

describe('notification drafts: what each event says', () => {
  it('tells of a placed order with its units, items and total, and keeps the order in the details with money as text', () => {
    const draft = draftOfOrderEvent(placed([['ITEM-001', 2, '5.00'], ['ITEM-002', 1, '0.25']], '10.25'));
    expect(draft).to.deep.include({ kind: 'order_placed', orderId: 'ORDER-1', message: 'Order ORDER-1 placed: 3 units of 2 items, 10.25 EUR' });
    expect(draft.details).to.deep.equal({
      customerId: 'CUST-7',
      orderDate: '2026-11-01T10:00:00.000Z',
      items: [
        { itemId: 'ITEM-001', quantity: 2, price: '5.00' },
        { itemId: 'ITEM-002', quantity: 1, price: '0.25' },
      ],
      totalAmount: '10.25',
      currency: 'EUR',
      status: 'pending',
    });
  });

  it('says "1 unit of 1 item" for a single unit', () => {
    expect(draftOfOrderEvent(placed([['ITEM-001', 1, '4.00']], '4.00')).message).to.equal('Order ORDER-1 placed: 1 unit of 1 item, 4.00 EUR');
  });

  it('tells of a status change with the new status', () => {
    const draft = draftOfOrderEvent({ type: 'OrderStatusUpdated', eventId: EVENT_ID, orderId: 'ORDER-1', occurredAt: AT, status: 'shipped', position });
    expect(draft).to.deep.include({ kind: 'status_changed', message: 'Order ORDER-1 is now shipped', details: { status: 'shipped' } });
  });

  it('keeps the source event, its type and position, and its time', () => {
    const draft = draftOfOrderEvent(placed([['ITEM-001', 1, '4.00']], '4.00'));
    expect(draft).to.deep.include({ sourceEventId: EVENT_ID, sourceEventType: 'OrderCreated', source: position, occurredAt: AT });
  });

  it('tells of reserved stock line by line, naming the order event it answers in the details', () => {
    const draft = draftOfInventoryEvent(inventory({ type: 'InventoryReserved', event: { ...header, items: [{ itemId: 'ITEM-001', quantity: 2 }, { itemId: 'ITEM-002', quantity: 1 }] } }));
    expect(draft).to.deep.include({ kind: 'stock_reserved', message: 'Stock reserved for order ORDER-1: 2 of ITEM-001, 1 of ITEM-002', sourceEventType: 'InventoryReserved' });
    expect(draft.details).to.deep.equal({ causationEventId: CAUSE_ID, items: [{ itemId: 'ITEM-001', quantity: 2 }, { itemId: 'ITEM-002', quantity: 1 }] });
    expect(draft.source.topic).to.equal('inventory-events');
  });

  it('names each short item of a rejected order with what was asked and what was there', () => {
    const draft = draftOfInventoryEvent(
      inventory({
        type: 'InventoryRejected',
        event: { ...header, shortItems: [{ itemId: 'ITEM-003', requested: 4, available: 1 }, { itemId: 'ITEM-009', requested: 1, available: 0 }] },
      }),
    );
    expect(draft.kind).to.equal('out_of_stock');
    expect(draft.message).to.equal('Order ORDER-1 is out of stock: ITEM-003 (asked 4, 1 available), ITEM-009 (asked 1, 0 available)');
    expect(draft.details).to.deep.equal({ causationEventId: CAUSE_ID, shortItems: [{ itemId: 'ITEM-003', requested: 4, available: 1 }, { itemId: 'ITEM-009', requested: 1, available: 0 }] });
  });

  it('tells of released and committed stock', () => {
    const items = [{ itemId: 'ITEM-001', quantity: 2 }];
    expect(draftOfInventoryEvent(inventory({ type: 'InventoryReleased', event: { ...header, items } }))).to.deep.include({
      kind: 'stock_released',
      message: 'Stock released for order ORDER-1: 2 of ITEM-001',
    });
    expect(draftOfInventoryEvent(inventory({ type: 'InventoryCommitted', event: { ...header, items } }))).to.deep.include({
      kind: 'stock_committed',
      message: 'Stock left the warehouse for order ORDER-1: 2 of ITEM-001',
    });
  });

  it(`names at most ${MAX_ITEMS_NAMED} items and counts the rest, while the details keep them all`, () => {
    const shortItems = Array.from({ length: 8 }, (_, index) => ({ itemId: `ITEM-${index}`, requested: 2, available: 1 }));
    const draft = draftOfInventoryEvent(inventory({ type: 'InventoryRejected', event: { ...header, shortItems } }));
    expect(draft.message).to.equal(
      'Order ORDER-1 is out of stock: ITEM-0 (asked 2, 1 available), ITEM-1 (asked 2, 1 available), ITEM-2 (asked 2, 1 available), ' +
        'ITEM-3 (asked 2, 1 available), ITEM-4 (asked 2, 1 available) and 3 more',
    );
    expect(draft.details.shortItems).to.have.length(8);
  });
});
