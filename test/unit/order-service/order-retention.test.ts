import { expect } from 'chai';
import pino from 'pino';
import { createMetrics } from '../../../src/lib/metrics';
import { createOrderRetention } from '../../../src/order-service/order-retention';
import type { DeadLetterStore } from '../../../src/order-service/dead-letter-store';
import type { OrderRetentionStore } from '../../../src/order-service/order-retention-store';

/** The retention pass's orchestration over a store whose parts succeed or fail as a test says. */
function retentionOver(store: OrderRetentionStore, deadLetters: Pick<DeadLetterStore, 'prune'>) {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const enforce = createOrderRetention({ store, deadLetters, windowSeconds: 86_400, deadLetterRetentionSeconds: 86_400, metrics: createMetrics('order-service'), logger });
  return { enforce, warnings: () => lines.filter((line) => line.includes('"level":40')) };
}

const failing = () => Promise.reject(new Error('connection terminated (test)'));

describe('order retention: the dedup window and the dead-letter retention run apart', () => {
  it('prunes dead letters when the dedup window fails, and says which part failed', async () => {
    const { enforce, warnings } = retentionOver({ expireParkedUpdates: failing, pruneRejectedEvents: failing }, { prune: () => Promise.resolve(2) });
    expect(await enforce()).to.deep.equal({ expired: 0, pruned: 0, deadLettersPruned: 2 });
    expect(warnings()).to.have.length(1);
    expect(warnings()[0]).to.contain('could not enforce the dedup window');
  });

  it('enforces the dedup window when pruning dead letters fails, and says which part failed', async () => {
    const { enforce, warnings } = retentionOver({
      expireParkedUpdates: () => Promise.resolve([{ eventId: 'e-1', orderId: 'O-1' }]),
      pruneRejectedEvents: () => Promise.resolve(3),
    }, { prune: failing });
    expect(await enforce()).to.deep.equal({ expired: 1, pruned: 3, deadLettersPruned: 0 });
    expect(warnings().filter((line) => line.includes('could not enforce DEAD_LETTER_RETENTION'))).to.have.length(1);
  });

  it('deletes in chunks until a chunk comes back short', async () => {
    const chunks = [5_000, 5_000, 17];
    const { enforce } = retentionOver({ expireParkedUpdates: () => Promise.resolve([]), pruneRejectedEvents: () => Promise.resolve(0) }, { prune: () => Promise.resolve(chunks.shift() ?? 0) });
    expect((await enforce()).deadLettersPruned).to.equal(10_017);
  });
});
