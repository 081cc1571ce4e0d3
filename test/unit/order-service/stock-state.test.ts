import { expect } from 'chai';
import { nextStockState } from '../../../src/order-service/stock-state';

describe('order stock state', () => {
  it('moves from awaiting to what the inventory service answered, then to released or committed', () => {
    expect(nextStockState('awaiting', 'reserved')).to.equal('reserved');
    expect(nextStockState('awaiting', 'rejected')).to.equal('rejected');
    expect(nextStockState('reserved', 'released')).to.equal('released');
    expect(nextStockState('reserved', 'committed')).to.equal('committed');
  });

  it('never moves back: an answer read late or again does not undo a later one', () => {
    expect(nextStockState('released', 'reserved')).to.equal('released');
    expect(nextStockState('committed', 'reserved')).to.equal('committed');
    expect(nextStockState('reserved', 'reserved')).to.equal('reserved');
  });
});
