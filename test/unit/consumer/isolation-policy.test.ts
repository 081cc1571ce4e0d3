import { expect } from 'chai';
import { createIsolationPolicy, createKafkaRunner } from '../../../src/lib/consumer';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createLogger } from '../../../src/logger';

describe('isolation policy: when a failure is the record\'s fault', () => {
  const BATCH = '0/100';

  it('dead-letters the failing records when another record of the same round was applied', () => {
    const policy = createIsolationPolicy({ loneFailureRounds: 3 });
    policy.batchFailed(BATCH);
    expect(policy.verdict(BATCH, 1)).to.deep.equal({ action: 'dead-letter', evidence: 'same batch' });
  });

  it('treats a round where nothing applied as an outage: retries, then hands the batch back after the lone-failure rounds', () => {
    const policy = createIsolationPolicy({ loneFailureRounds: 3 });
    policy.batchFailed(BATCH);
    expect(policy.verdict(BATCH, 0)).to.deep.equal({ action: 'retry', round: 0 });
    expect(policy.verdict(BATCH, 0)).to.deep.equal({ action: 'retry', round: 1 });
    expect(policy.verdict(BATCH, 0)).to.deep.equal({ action: 'hand-back', round: 2 });
  });

  it('counts a transaction of another batch that began after the first failure and committed as evidence, once the lone rounds are spent', () => {
    const policy = createIsolationPolicy({ loneFailureRounds: 2 });
    policy.begin();
    policy.batchFailed(BATCH);
    const other = policy.begin();
    policy.committed(other);
    expect(policy.verdict(BATCH, 0), 'first round: not yet').to.deep.equal({ action: 'retry', round: 0 });
    expect(policy.verdict(BATCH, 0)).to.deep.equal({ action: 'dead-letter', evidence: 'other batches' });
  });

  it('does not count a transaction that began before the first failure, even if it committed after it', () => {
    const policy = createIsolationPolicy({ loneFailureRounds: 1 });
    const before = policy.begin();
    policy.batchFailed(BATCH);
    policy.committed(before);
    expect(policy.verdict(BATCH, 0)).to.deep.equal({ action: 'hand-back', round: 0 });
  });

  it('a transaction that began but never committed is no evidence', () => {
    const policy = createIsolationPolicy({ loneFailureRounds: 1 });
    policy.batchFailed(BATCH);
    policy.begin();
    expect(policy.verdict(BATCH, 0).action).to.equal('hand-back');
  });

  it('forgets the rounds of a settled batch and of every batch at a rebalance', () => {
    const policy = createIsolationPolicy({ loneFailureRounds: 2 });
    policy.batchFailed(BATCH);
    policy.verdict(BATCH, 0);
    policy.settled(BATCH);
    policy.batchFailed(BATCH);
    expect(policy.verdict(BATCH, 0), 'after settled').to.deep.equal({ action: 'retry', round: 0 });
    policy.reset();
    policy.batchFailed(BATCH);
    expect(policy.verdict(BATCH, 0), 'after a rebalance').to.deep.equal({ action: 'retry', round: 0 });
  });

  it('keeps the first failure\'s starting point when the same batch fails again', () => {
    const policy = createIsolationPolicy({ loneFailureRounds: 2 });
    policy.batchFailed(BATCH);
    const other = policy.begin();
    policy.committed(other);
    policy.batchFailed(BATCH);
    policy.verdict(BATCH, 0);
    expect(policy.verdict(BATCH, 0)).to.deep.equal({ action: 'dead-letter', evidence: 'other batches' });
  });
});

describe('Kafka runner settings', () => {
  it('refuses a transaction size that is not a whole number of at least 1', () => {
    const kafka = createKafkaClient({ brokers: '127.0.0.1:9', clientId: 'settings-test' });
    const options = { kafka, topic: 't', groupId: 'g', logger: createLogger('silent'), partitionsConsumedConcurrently: 1, fetchMaxWaitMs: 20, process: async () => true, onCommitted: () => undefined, onGroupJoin: () => undefined };
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => createKafkaRunner({ ...options, maxRecordsPerTransaction: size }), String(size)).to.throw(TypeError, /maxRecordsPerTransaction/);
    expect(() => createKafkaRunner({ ...options, maxRecordsPerTransaction: 1 })).not.to.throw();
    // A fetch that never waits would ask Kafka in a busy loop while idle.
    for (const wait of [0, -5, 2.5]) expect(() => createKafkaRunner({ ...options, maxRecordsPerTransaction: 1, fetchMaxWaitMs: wait }), String(wait)).to.throw(TypeError, /fetchMaxWaitMs/);
  });
});
