import { expect } from 'chai';
import { AppError } from '../../../src/errors';
import {
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  assertTransition,
  canTransition,
  isOrderStatus,
  parseStatus,
  type OrderStatus,
} from '../../../src/domain';

/** The lifecycle as the spec states it, written out independently of the module's table. */
const LEGAL: ReadonlyArray<[OrderStatus, OrderStatus]> = [
  ['pending', 'confirmed'],
  ['confirmed', 'paid'],
  ['confirmed', 'processing'],
  ['confirmed', 'shipped'],
  ['paid', 'processing'],
  ['paid', 'shipped'],
  ['processing', 'shipped'],
  ['shipped', 'delivered'],
  ['pending', 'cancelled'],
  ['confirmed', 'cancelled'],
  ['paid', 'cancelled'],
  ['processing', 'cancelled'],
];

const isLegal = (from: OrderStatus, to: OrderStatus) => LEGAL.some(([f, t]) => f === from && t === to);

describe('order status lifecycle', () => {
  it('lists the seven statuses in lifecycle order', () => {
    expect(ORDER_STATUSES).to.deep.equal(['pending', 'confirmed', 'paid', 'processing', 'shipped', 'delivered', 'cancelled']);
  });

  describe('every legal transition', () => {
    for (const [from, to] of LEGAL) {
      it(`allows ${from} -> ${to}`, () => {
        expect(canTransition(from, to)).to.equal(true);
        expect(() => assertTransition(from, to)).to.not.throw();
      });
    }
  });

  describe('every illegal transition', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        if (isLegal(from, to)) continue;
        it(`refuses ${from} -> ${to} with ILLEGAL_TRANSITION naming both statuses`, () => {
          expect(canTransition(from, to)).to.equal(false);
          let thrown: unknown;
          try {
            assertTransition(from, to);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).to.be.instanceOf(AppError);
          const appError = thrown as AppError;
          expect(appError.code).to.equal('ILLEGAL_TRANSITION');
          expect(appError.httpStatus).to.equal(409);
          expect(appError.message).to.equal(`cannot move order from '${from}' to '${to}'`);
        });
      }
    }
  });

  it('has exactly the twelve legal transitions of the spec in its table', () => {
    const table = Object.entries(ORDER_TRANSITIONS).flatMap(([from, targets]) => targets.map((to) => `${from}->${to}`));
    expect(table).to.have.members(LEGAL.map(([from, to]) => `${from}->${to}`));
    expect(table).to.have.lengthOf(LEGAL.length);
  });

  it('refuses to cancel a shipped order', () => {
    expect(() => assertTransition('shipped', 'cancelled')).to.throw("cannot move order from 'shipped' to 'cancelled'");
  });

  it('keeps the table immutable', () => {
    expect(Object.isFrozen(ORDER_TRANSITIONS)).to.equal(true);
    expect(Object.isFrozen(ORDER_TRANSITIONS.pending)).to.equal(true);
  });

  describe('parseStatus', () => {
    it('reads every canonical status', () => {
      for (const status of ORDER_STATUSES) expect(parseStatus(status)).to.equal(status);
    });

    it('reads upper and mixed case as the canonical lower-case status', () => {
      expect(parseStatus('PENDING')).to.equal('pending');
      expect(parseStatus('Shipped')).to.equal('shipped');
      expect(parseStatus('DELIVERED')).to.equal('delivered');
    });

    it('reads seed 001\'s "new" in any case as pending', () => {
      expect(parseStatus('new')).to.equal('pending');
      expect(parseStatus('NEW')).to.equal('pending');
    });

    it('reads the US spelling "canceled" in any case as cancelled', () => {
      expect(parseStatus('canceled')).to.equal('cancelled');
      expect(parseStatus('CANCELED')).to.equal('cancelled');
      expect(parseStatus('CANCELLED')).to.equal('cancelled');
    });

    it('returns undefined for unknown statuses and non-strings', () => {
      for (const value of ['', 'unknown', ' pending', 'pending ', 'refunded', 'cancel', null, undefined, 1, {}, ['pending']]) {
        expect(parseStatus(value), JSON.stringify(value)).to.equal(undefined);
      }
    });

    it('does not read inherited object keys as statuses', () => {
      expect(parseStatus('constructor')).to.equal(undefined);
      expect(parseStatus('toString')).to.equal(undefined);
    });
  });

  describe('isOrderStatus', () => {
    it('accepts only canonical spellings', () => {
      expect(isOrderStatus('paid')).to.equal(true);
      expect(isOrderStatus('PAID')).to.equal(false);
      expect(isOrderStatus('canceled')).to.equal(false);
      expect(isOrderStatus(3)).to.equal(false);
    });
  });
});
