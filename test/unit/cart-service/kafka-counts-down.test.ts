import { expect } from 'chai';
import { kafkaCountsDown } from '../../../src/cart-service/outbox';

describe('when the outbox relay counts Kafka as unavailable (writes refused with 503)', () => {
  it('not while sends fail within the grace and Kafka still answers metadata (a partition electing a new leader)', () => {
    expect(kafkaCountsDown({ failingForMs: 0, graceMs: 15_000, answersMetadata: true })).to.equal(false);
    expect(kafkaCountsDown({ failingForMs: 14_999, graceMs: 15_000, answersMetadata: true })).to.equal(false);
  });

  it('once the grace has run out, even though Kafka answers metadata (no partition takes writes)', () => {
    expect(kafkaCountsDown({ failingForMs: 15_000, graceMs: 15_000, answersMetadata: true })).to.equal(true);
  });

  it('at once when Kafka does not answer metadata either, or when there is no grace', () => {
    expect(kafkaCountsDown({ failingForMs: 0, graceMs: 15_000, answersMetadata: false })).to.equal(true);
    expect(kafkaCountsDown({ failingForMs: 0, graceMs: 0, answersMetadata: true })).to.equal(true);
  });
});
