/** What to do with the records that failed a split round. */
export type IsolationVerdict =
  | { action: 'dead-letter'; evidence: 'same batch' | 'other batches' }
  /** Treat it as an outage: wait `round` rounds' backoff, then try the whole batch again. */
  | { action: 'retry'; round: number }
  /** As 'retry', then hand the batch back to be fetched again (with what was produced behind it). */
  | { action: 'hand-back'; round: number };

export interface IsolationPolicy {
  /** Numbers a transaction about to begin; pass the number to {@link committed} once it commits. */
  begin(): number;
  committed(transaction: number): void;
  /** A batch (named by partition and first offset) failed whole for a non-transient reason. */
  batchFailed(batchKey: string): void;
  /** The verdict on a split round of a failed batch that left failing records, `applied` records having committed. */
  verdict(batchKey: string, applied: number): IsolationVerdict;
  /** The batch is done (applied, or its failures dead-lettered): forget it. */
  settled(batchKey: string): void;
  /** Partitions were (re)assigned: no evidence may predate the assignment. */
  reset(): void;
}

/**
 * When is a failure the record's fault? The consumer's answer, as a pure state machine (no
 * Kafka, no timers), so that every path is unit tested.
 *
 * A batch that fails for a non-transient reason is applied again record by record (a "split
 * round"). A record that then fails alone is the record's fault ONLY if something shows that
 * the database accepts writes meanwhile; otherwise an unlisted failure of the whole system (a
 * broken trigger, a constraint or permission change, an SQLSTATE no rule calls transient...)
 * would dead-letter every valid event. The rule:
 *  - the failing records are dead-lettered when, in the same round, at least one other record
 *    of the batch was APPLIED (its transaction committed; a record that was only dead-lettered
 *    as poison touched no table and proves nothing);
 *  - when no record of the round was applied, it is treated as an outage: back off and retry the
 *    whole batch; nothing is dead-lettered, nothing committed past it;
 *  - so that a genuinely bad record alone in its batch does not block its partition forever,
 *    after `loneFailureRounds` such rounds the batch is handed back unresolved (kafkajs waits for
 *    every batch of a fetch before fetching again, so holding on would stall the other
 *    partitions too). Fetched again, it may come with the records produced behind it (same-batch
 *    evidence), and a transaction of ANOTHER batch begun after the first failure that committed
 *    counts as evidence too. During a whole-system failure nothing commits anywhere, so nothing
 *    is dead-lettered however long it lasts; it resumes where it stopped once it ends.
 */
export function createIsolationPolicy({ loneFailureRounds }: { loneFailureRounds: number }): IsolationPolicy {
  let begun = 0;
  let lastCommitted = 0;
  const failing = new Map<string, { rounds: number; begunAtFirstFailure: number }>();

  return {
    begin: () => (begun += 1),
    committed(transaction) {
      lastCommitted = Math.max(lastCommitted, transaction);
    },
    batchFailed(batchKey) {
      if (!failing.has(batchKey)) failing.set(batchKey, { rounds: 0, begunAtFirstFailure: begun });
    },
    verdict(batchKey, applied) {
      const state = failing.get(batchKey) ?? { rounds: 0, begunAtFirstFailure: begun };
      failing.set(batchKey, state);
      if (applied > 0) return { action: 'dead-letter', evidence: 'same batch' };
      if (state.rounds + 1 >= loneFailureRounds && lastCommitted > state.begunAtFirstFailure) return { action: 'dead-letter', evidence: 'other batches' };
      const round = state.rounds;
      state.rounds += 1;
      return state.rounds >= loneFailureRounds ? { action: 'hand-back', round } : { action: 'retry', round };
    },
    settled(batchKey) {
      failing.delete(batchKey);
    },
    reset() {
      failing.clear();
    },
  };
}
