import { expect } from 'chai';
import { newClusterId } from '../../../scripts/stack/kafka';

describe('KRaft cluster ids', () => {
  it('are 22 URL-safe base64 characters and never start with "-" (the storage tool would read it as an option)', () => {
    // One id in 64 would start with "-" if nothing prevented it: 10,000 draws find it.
    const ids = Array.from({ length: 10_000 }, () => newClusterId());
    expect(ids.filter((id) => !/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).to.deep.equal([]);
  });
});
