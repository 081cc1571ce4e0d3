import type { Logger } from '../logger';
import type { Metrics } from '../lib/metrics';
import type { DeadLetterStore } from './dead-letter-store';
import type { OrderRetentionStore } from './order-retention-store';

/** Refused events (or dead letters) deleted per statement, so one pass never holds a long transaction. */
const PRUNE_CHUNK = 5_000;

/**
 * Keeps the order service's bookkeeping bounded by the dedup window (DEDUP_WINDOW).
 *
 * The event history keeps every APPLIED event: it is each order's history, bounded by the orders
 * themselves (an order applies a handful of transitions at most). What grows without bound is
 * what was refused (a producer can send any number of illegal transitions) and updates parked
 * for an order that never comes. Past the window:
 *  - a parked update is refused (history outcome 'rejected', reason naming the window): its
 *    order would have to arrive more than a window after it;
 *  - a refused event is deleted, and its id forgotten.
 * Redelivery comes from the last committed offset (one batch after a crash or rebalance) or a
 * relay re-send after a lost delete (seconds); both lie far inside any sensible window. Only a
 * deliberate re-read of the topic (an offset reset) can bring back an event older than the
 * window, and only a refused one is then judged again.
 *
 * The dead-letter index is bounded by its own retention (DEAD_LETTER_RETENTION): a dead letter
 * older than it is deleted, replayed or not, unless a replay of it is under way.
 */
export function createOrderRetention({
  store,
  deadLetters,
  windowSeconds,
  deadLetterRetentionSeconds,
  metrics,
  logger,
}: {
  store: OrderRetentionStore;
  deadLetters: Pick<DeadLetterStore, 'prune'>;
  windowSeconds: number;
  deadLetterRetentionSeconds: number;
  metrics: Metrics;
  logger: Logger;
}) {
  async function enforceDedupWindow(now: Date): Promise<{ expired: number; pruned: number }> {
    const before = new Date(now.getTime() - windowSeconds * 1000);
    try {
      const expired = await store.expireParkedUpdates(before, `its order did not arrive within the dedup window (${windowSeconds} s)`);
      for (const update of expired) {
        metrics.eventsConsumed.inc({ event_type: 'OrderStatusUpdated', outcome: 'expired' });
        logger.warn({ orderId: update.orderId, eventId: update.eventId }, 'parked status update refused: its order did not arrive within the dedup window');
      }
      let pruned = 0;
      for (let deleted = PRUNE_CHUNK; deleted === PRUNE_CHUNK; pruned += deleted) deleted = await store.pruneRejectedEvents(before, PRUNE_CHUNK);
      if (pruned > 0) logger.info({ pruned, before }, 'deleted refused events older than the dedup window');
      return { expired: expired.length, pruned };
    } catch (error) {
      logger.warn({ err: error }, 'could not enforce the dedup window; trying again at the next run');
      return { expired: 0, pruned: 0 };
    }
  }

  async function enforceDeadLetterRetention(now: Date): Promise<number> {
    const before = new Date(now.getTime() - deadLetterRetentionSeconds * 1000);
    let pruned = 0;
    try {
      for (let deleted = PRUNE_CHUNK; deleted === PRUNE_CHUNK; pruned += deleted) deleted = await deadLetters.prune(before, PRUNE_CHUNK);
    } catch (error) {
      logger.warn({ err: error }, 'could not enforce DEAD_LETTER_RETENTION; trying again at the next run');
    }
    if (pruned > 0) logger.info({ deadLettersPruned: pruned, before }, 'deleted dead letters older than DEAD_LETTER_RETENTION from the index');
    return pruned;
  }

  /** One pass of both; each reports its own failure (a warning) and leaves the other to run. */
  return async function enforceRetention(now: Date = new Date()): Promise<{ expired: number; pruned: number; deadLettersPruned: number }> {
    const { expired, pruned } = await enforceDedupWindow(now);
    return { expired, pruned, deadLettersPruned: await enforceDeadLetterRetention(now) };
  };
}
