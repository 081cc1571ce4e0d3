import { expect } from 'chai';
import { createPublicationTracker } from '../../../src/cart-service/outbox';

/** Long enough that a test which waited it out would fail by mocha's timeout instead of passing. */
const NEVER_MS = 60_000;

/** Resolves with the outcome of `published`, or 'still waiting' when it has not settled within a few event-loop turns. */
async function outcomeSoon(publication: Promise<boolean>): Promise<boolean | 'still waiting'> {
  const turns = new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 20));
  return Promise.race([publication, turns]);
}

describe('publication tracker', () => {
  it('resolves true once the relay reports the outbox row published', async () => {
    const tracker = createPublicationTracker();
    const wait = tracker.expect('7');
    const publication = wait.published(NEVER_MS);
    expect(await outcomeSoon(publication), 'before the report').to.equal('still waiting');
    tracker.published(['7']);
    expect(await outcomeSoon(publication)).to.equal(true);
    expect(tracker.waiting).to.equal(0);
  });

  it('counts an acknowledgement reported before published() is awaited', async () => {
    const tracker = createPublicationTracker();
    const wait = tracker.expect('7');
    tracker.published(['7']);
    expect(await outcomeSoon(wait.published(NEVER_MS))).to.equal(true);
    expect(tracker.waiting).to.equal(0);
  });

  it('resolves false when the time runs out first, and forgets the wait', async () => {
    const tracker = createPublicationTracker();
    const wait = tracker.expect('7');
    const startedAt = Date.now();
    expect(await wait.published(30)).to.equal(false);
    expect(Date.now() - startedAt).to.be.at.least(25);
    expect(tracker.waiting).to.equal(0);
    expect(() => tracker.published(['7']), 'a late report').to.not.throw();
  });

  it('is not woken by the publication of other rows', async () => {
    const tracker = createPublicationTracker();
    const wait = tracker.expect('7');
    tracker.published(['6', '8', '70']);
    expect(await wait.published(30)).to.equal(false);
  });

  it('wakes every request that waits for the same row (a first request and its replays)', async () => {
    const tracker = createPublicationTracker();
    const first = tracker.expect('7').published(NEVER_MS);
    const replay = tracker.expect('7').published(NEVER_MS);
    const other = tracker.expect('8');
    expect(tracker.waiting).to.equal(2);
    tracker.published(['7']);
    expect(await Promise.all([outcomeSoon(first), outcomeSoon(replay)])).to.deep.equal([true, true]);
    expect(tracker.waiting, 'row 8 still awaited').to.equal(1);
    other.cancel();
  });

  it('wakes the waits of several rows with one report', async () => {
    const tracker = createPublicationTracker();
    const waits = ['1', '2', '3'].map((outboxId) => tracker.expect(outboxId).published(NEVER_MS));
    tracker.published(new Set(['1', '2', '3']));
    expect(await Promise.all(waits.map(outcomeSoon))).to.deep.equal([true, true, true]);
    expect(tracker.waiting).to.equal(0);
  });

  it('forgets a cancelled wait (its transaction rolled back) and keeps the others of the row', async () => {
    const tracker = createPublicationTracker();
    const rolledBack = tracker.expect('7');
    const kept = tracker.expect('7');
    rolledBack.cancel();
    expect(tracker.waiting, 'the other wait of row 7 remains').to.equal(1);
    const publication = kept.published(NEVER_MS);
    tracker.published(['7']);
    expect(await outcomeSoon(publication)).to.equal(true);

    const alone = tracker.expect('9');
    alone.cancel();
    expect(tracker.waiting).to.equal(0);
  });
});
