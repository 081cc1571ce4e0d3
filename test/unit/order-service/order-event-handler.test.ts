import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Decimal } from '../../../src/domain';
import { checkEvent, type OrderEvent, type ValidEvent } from '../../../src/lib/order-events';
import { planBatch, type BatchState, type PendingUpdate } from '../../../src/order-service/order-event-handler';
import { backoffDelay } from '../../../src/lib/retry';

const EMPTY: BatchState = { knownEventIds: new Set(), orderStatuses: new Map(), pending: [] };
let offset = 0;

function position() {
  offset += 1;
  return { topic: 'order-events', partition: 0, offset: String(offset) };
}

function created(orderId: string, overrides: Partial<{ total: string; currency: string; status: string; eventId: string }> = {}): OrderEvent {
  return {
    type: 'OrderCreated',
    event: {
      eventId: overrides.eventId ?? randomUUID(),
      occurredAt: new Date('2026-01-01T10:00:00Z'),
      order: {
        orderId,
        customerId: 'CUST-1',
        orderDate: new Date('2026-01-01T09:59:00Z'),
        items: [
          { itemId: 'A', quantity: 2, price: new Decimal('5.00') },
          { itemId: 'B', quantity: 1, price: new Decimal('0.25') },
        ],
        totalAmount: new Decimal(overrides.total ?? '10.25'),
        currency: overrides.currency ?? 'EUR',
        status: overrides.status ?? 'pending',
      },
    },
  };
}

function updated(orderId: string, status: string, at = '2026-01-01T11:00:00Z', eventId = randomUUID()): OrderEvent {
  return { type: 'OrderStatusUpdated', event: { eventId, occurredAt: new Date(at), orderId, status } };
}

function valid(event: OrderEvent): ValidEvent {
  const checked = checkEvent(event, position());
  if (!checked.ok) throw new Error(checked.reason);
  return checked.event;
}

describe('order event handler', () => {
  describe('checkEvent', () => {
    it('accepts a well-formed OrderCreated', () => {
      expect(checkEvent(created('O-1'), position()).ok).to.equal(true);
    });

    it('when the total differs from the item sum by a cent, it rejects the event naming totalAmount', () => {
      const result = checkEvent(created('O-1', { total: '10.26' }), position());
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.reason).to.contain('totalAmount');
    });

    it("rejects the status 'unknown' and a currency that is not a three-letter code", () => {
      expect(checkEvent(created('O-1', { status: 'unknown' }), position()).ok).to.equal(false);
      expect(checkEvent(created('O-1', { currency: 'EURO' }), position()).ok).to.equal(false);
      expect(checkEvent(created('O-1', { currency: 'eur' }), position()).ok).to.equal(false);
      expect(checkEvent(updated('O-1', 'unknown'), position()).ok).to.equal(false);
    });

    it('accepts a recorded order in a currency withdrawn since (ANG): replaying history does not re-judge it by today\'s table', () => {
      expect(checkEvent(created('O-1', { currency: 'ANG' }), position()).ok).to.equal(true);
    });

    it('rejects an event id that is not a UUID', () => {
      expect(checkEvent(created('O-1', { eventId: 'not-a-uuid' }), position()).ok).to.equal(false);
    });
  });

  describe('planBatch', () => {
    it('creates an order with shipping 2% half-up (10.25 -> 0.21) and applies a later update in the same batch', () => {
      const plan = planBatch([valid(created('O-1')), valid(updated('O-1', 'confirmed'))], EMPTY);
      expect(plan.newOrders).to.have.length(1);
      expect(plan.newOrders[0]?.shippingCost.toFixed(2)).to.equal('0.21');
      expect(plan.newOrders[0]?.status).to.equal('confirmed');
      expect(plan.history.map((entry) => entry.outcome)).to.deep.equal(['applied', 'applied']);
    });

    it('treats an event id already known, or repeated in the batch, as a duplicate that changes nothing', () => {
      const event = valid(created('O-1'));
      const plan = planBatch([event, event], { ...EMPTY, knownEventIds: new Set() });
      expect(plan.newOrders).to.have.length(1);
      expect(plan.outcomes.filter((outcome) => outcome.outcome === 'duplicate')).to.have.length(1);
      const again = planBatch([event], { ...EMPTY, knownEventIds: new Set([event.eventId]) });
      expect(again.newOrders).to.have.length(0);
      expect(again.history).to.have.length(0);
    });

    it('parks an update whose order is unknown and applies parked updates in offset order when the order arrives, whatever their producer clock says', () => {
      // The producer's clock went backwards between the two updates: the log's order is the true one.
      const first = planBatch([valid(updated('O-2', 'confirmed', '2026-01-01T12:00:00Z')), valid(updated('O-2', 'paid', '2026-01-01T11:00:00Z'))], EMPTY);
      expect(first.parked).to.have.length(2);
      expect(first.history).to.have.length(0);
      const pending: PendingUpdate[] = first.parked;
      const second = planBatch([valid(created('O-2'))], { ...EMPTY, pending });
      expect(second.newOrders[0]?.status).to.equal('paid');
      expect(second.unparked).to.have.members(pending.map((update) => update.eventId));
      expect(second.parked).to.have.length(0);
    });

    it('records an illegal transition as rejected and leaves the status unchanged', () => {
      const plan = planBatch([valid(updated('O-3', 'delivered'))], { ...EMPTY, orderStatuses: new Map([['O-3', 'pending']]) });
      expect(plan.statusChanges.size).to.equal(0);
      expect(plan.history[0]).to.include({ outcome: 'rejected', status: 'delivered' });
      expect(plan.history[0]?.reason).to.contain("'pending' to 'delivered'");
    });

    it('rejects a second OrderCreated for an existing order', () => {
      const plan = planBatch([valid(created('O-4'))], { ...EMPTY, orderStatuses: new Map([['O-4', 'paid']]) });
      expect(plan.newOrders).to.have.length(0);
      expect(plan.history[0]?.outcome).to.equal('rejected');
    });
  });

  describe('retry backoff', () => {
    it('doubles the backoff up to the cap', () => {
      const policy = { initialMs: 100, maxMs: 1_000 };
      expect(backoffDelay(0, policy, () => 0.5)).to.equal(100);
      expect(backoffDelay(3, policy, () => 0.5)).to.equal(800);
      expect(backoffDelay(10, policy, () => 0.5)).to.equal(1_000);
    });
  });
});
