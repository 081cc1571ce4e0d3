import { expect } from 'chai';
import { Decimal } from '../../../src/domain';
import { planInventory, type InventoryState, type StockLevel } from '../../../src/inventory-service';
import type { ValidEvent } from '../../../src/lib/order-events';

const NOW = new Date('2026-12-03T10:00:00.000Z');
let ids = 0;
const options = { now: NOW, newEventId: () => `00000000-0000-4000-8000-${String((ids += 1)).padStart(12, '0')}` };
const position = { topic: 'order-events', partition: 0, offset: '0' };

function created(orderId: string, items: Array<[string, number]>, eventId = `created-${orderId}`): ValidEvent {
  return {
    type: 'OrderCreated',
    eventId,
    orderId,
    occurredAt: NOW,
    status: 'pending',
    order: {
      orderId,
      customerId: 'CUST-1',
      orderDate: NOW,
      items: items.map(([itemId, quantity]) => ({ itemId, quantity, price: new Decimal('1.00') })),
      totalAmount: new Decimal(items.reduce((sum, [, quantity]) => sum + quantity, 0)),
      currency: 'EUR',
      status: 'pending',
    },
    position,
  };
}

function updated(orderId: string, status: ValidEvent['status'], eventId = `${status}-${orderId}`): ValidEvent {
  return { type: 'OrderStatusUpdated', eventId, orderId, occurredAt: NOW, status, position };
}

function stateWith(stock: Record<string, StockLevel>, rest: Partial<InventoryState> = {}): InventoryState {
  return { stock: new Map(Object.entries(stock)), reservations: new Map(), answers: new Map(), ...rest };
}

describe('reservation planner (pure)', () => {
  it('reserves every line of an order, summing an item ordered on several lines, and answers InventoryReserved', () => {
    const plan = planInventory([created('O-1', [['B', 2], ['A', 1], ['B', 3]])], stateWith({ A: { available: 1, reserved: 0 }, B: { available: 9, reserved: 1 } }), options);
    expect(Object.fromEntries(plan.stock)).to.deep.equal({ A: { available: 0, reserved: 1 }, B: { available: 4, reserved: 6 } });
    expect(plan.reservations.get('O-1')).to.deep.equal({ state: 'reserved', lines: [{ itemId: 'A', quantity: 1 }, { itemId: 'B', quantity: 5 }] });
    expect(plan.publish).to.have.length(1);
    expect(plan.publish[0]?.type).to.equal('InventoryReserved');
    expect(plan.publish[0]?.event).to.include({ orderId: 'O-1', causationEventId: 'created-O-1' });
    expect(plan.decisions).to.deep.equal([{ eventId: 'created-O-1', orderId: 'O-1', decision: 'reserved' }]);
  });

  it('reserves nothing when one item is short, naming each short item with what was asked and what was there (0 for an item never stocked)', () => {
    const plan = planInventory([created('O-2', [['A', 2], ['B', 5], ['C', 1]])], stateWith({ A: { available: 5, reserved: 0 }, B: { available: 4, reserved: 0 } }), options);
    expect(plan.stock.size, 'no stock changed').to.equal(0);
    expect(plan.reservations.get('O-2')?.state).to.equal('rejected');
    const [answer] = plan.publish;
    expect(answer?.type).to.equal('InventoryRejected');
    expect(answer?.type === 'InventoryRejected' && answer.event.shortItems).to.deep.equal([
      { itemId: 'B', requested: 5, available: 4 },
      { itemId: 'C', requested: 1, available: 0 },
    ]);
  });

  it('lets orders of one batch compete for the same units as they would apart: the first gets them, the second is refused', () => {
    const plan = planInventory([created('O-3', [['A', 3]]), created('O-4', [['A', 1]])], stateWith({ A: { available: 3, reserved: 0 } }), options);
    expect(plan.decisions.map((entry) => entry.decision)).to.deep.equal(['reserved', 'rejected']);
    expect(plan.stock.get('A')).to.deep.equal({ available: 0, reserved: 3 });
  });

  it('releases a held reservation on cancelled and commits it on shipped, within one batch too', () => {
    const plan = planInventory(
      [created('O-5', [['A', 2]]), updated('O-5', 'cancelled'), created('O-6', [['A', 4]]), updated('O-6', 'confirmed'), updated('O-6', 'shipped')],
      stateWith({ A: { available: 5, reserved: 0 } }),
      options,
    );
    expect(plan.decisions.map((entry) => entry.decision)).to.deep.equal(['reserved', 'released', 'reserved', 'ignored', 'committed']);
    expect(plan.stock.get('A'), '5 - 2 + 2 - 4 available; 4 reserved then shipped').to.deep.equal({ available: 1, reserved: 0 });
    expect(plan.publish.map((answer) => answer.type)).to.deep.equal(['InventoryReserved', 'InventoryReleased', 'InventoryReserved', 'InventoryCommitted']);
    expect(plan.reservations.get('O-5')?.state).to.equal('released');
    expect(plan.reservations.get('O-6')?.state).to.equal('committed');
  });

  it('answers a redelivered event with the answer it got before, deciding nothing again', () => {
    const first = planInventory([created('O-7', [['A', 1]])], stateWith({ A: { available: 1, reserved: 0 } }), options);
    const answer = first.publish[0]!;
    const again = planInventory(
      [created('O-7', [['A', 1]])],
      stateWith({ A: { available: 0, reserved: 1 } }, { reservations: new Map([['O-7', { state: 'reserved', lines: [{ itemId: 'A', quantity: 1 }] }]]), answers: new Map([['created-O-7', answer]]) }),
      options,
    );
    expect(again.publish).to.deep.equal([answer]);
    expect(again.decisions[0]?.decision).to.equal('resent');
    expect(again.stock.size + again.reservations.size + again.answers.size, 'nothing written').to.equal(0);
  });

  it('changes nothing for a second OrderCreated of an order, a cancel of a refused order, or a shipment of a released one', () => {
    const reservations = new Map([
      ['O-8', { state: 'reserved' as const, lines: [{ itemId: 'A', quantity: 1 }] }],
      ['O-9', { state: 'rejected' as const, lines: [{ itemId: 'A', quantity: 9 }] }],
      ['O-10', { state: 'released' as const, lines: [{ itemId: 'A', quantity: 1 }] }],
    ]);
    const plan = planInventory(
      [created('O-8', [['A', 1]], 'another-created-O-8'), updated('O-9', 'cancelled'), updated('O-10', 'shipped'), updated('O-UNSEEN', 'cancelled')],
      stateWith({ A: { available: 5, reserved: 1 } }, { reservations }),
      options,
    );
    expect(plan.decisions.map((entry) => entry.decision)).to.deep.equal(['ignored', 'ignored', 'ignored', 'ignored']);
    expect(plan.publish).to.deep.equal([]);
    expect(plan.stock.size).to.equal(0);
    expect([...plan.reservations.keys()], 'only the unseen order is remembered').to.deep.equal(['O-UNSEEN']);
  });

  it('reserves nothing for an OrderCreated that comes after its own cancel (a late or replayed record)', () => {
    const first = planInventory([updated('O-11', 'cancelled')], stateWith({ A: { available: 5, reserved: 0 } }), options);
    expect(first.reservations.get('O-11')).to.deep.equal({ state: 'released', lines: [] });
    const late = planInventory([created('O-11', [['A', 2]])], stateWith({ A: { available: 5, reserved: 0 } }, { reservations: first.reservations }), options);
    expect(late.decisions[0]?.decision).to.equal('ignored');
    expect(late.stock.size + late.publish.length).to.equal(0);
  });
});
