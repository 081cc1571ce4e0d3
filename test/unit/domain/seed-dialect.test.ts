import { expect } from 'chai';
import { fromSeedOrderId, withMainFieldNames } from '../../../src/domain/seed-dialect';
import { AppError } from '../../../src/errors';

describe('seed dialect', () => {
  describe('fromSeedOrderId', () => {
    it('turns an id of digits only, as text or as a JSON number, into ORD-<digits>', () => {
      expect(fromSeedOrderId('123')).to.equal('ORD-123');
      expect(fromSeedOrderId(' 0042 ')).to.equal('ORD-0042');
      expect(fromSeedOrderId(123)).to.equal('ORD-123');
    });

    it('leaves every other id for the main validation to judge', () => {
      for (const id of ['ORD-123', '12a', '', '-1', 1.5, -3, null, undefined, { id: 1 }]) expect(fromSeedOrderId(id)).to.equal(id);
    });
  });

  describe('withMainFieldNames', () => {
    const aliases = { orderId: ['order_id'], numItems: ['numberOfItems', 'number_of_items'] };

    it('renames each alias to the main name and keeps every other field', () => {
      expect(withMainFieldNames({ order_id: '1', number_of_items: 3, note: 'x' }, aliases)).to.deep.equal({ orderId: '1', numItems: 3, note: 'x' });
      expect(withMainFieldNames({ orderId: '1', numberOfItems: 3 }, aliases)).to.deep.equal({ orderId: '1', numItems: 3 });
    });

    it('accepts two spellings with the same value', () => {
      expect(withMainFieldNames({ orderId: '1', order_id: '1' }, aliases)).to.deep.equal({ orderId: '1' });
    });

    it('refuses two spellings that disagree with VALIDATION_FAILED naming both', () => {
      try {
        withMainFieldNames({ numItems: 2, number_of_items: 3 }, aliases);
        expect.fail('accepted');
      } catch (error) {
        expect(error).to.be.instanceOf(AppError);
        expect((error as AppError).code).to.equal('VALIDATION_FAILED');
        expect((error as AppError).message).to.contain('numItems and number_of_items');
      }
    });

    it('returns anything but an object as it is', () => {
      for (const body of [null, [1], 'text', 3]) expect(withMainFieldNames(body, aliases)).to.equal(body);
    });
  });
});
