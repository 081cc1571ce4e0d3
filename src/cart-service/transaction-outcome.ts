import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors';
import { acquirePgConnection, databaseError, type Knex, type SqlTransaction } from '../lib/db';

/** How long to keep asking the database whether a transaction whose COMMIT went unanswered committed. */
const OUTCOME_DEADLINE_MS = 10_000;
const OUTCOME_POLL_MS = 100;

/**
 * Runs `work` in one transaction (on a connection of `knex`'s pool) and tells truthfully how it
 * ended. A failure before COMMIT means nothing was written, and the error is rethrown (as the
 * database adapter translates it).
 * When the connection breaks during COMMIT, the transaction may have committed all the same:
 * its id (txid_status) is asked on a fresh connection, and a committed transaction resolves with
 * `work`'s result like any other. When the database cannot tell within seconds, it rejects with
 * COMMIT_OUTCOME_UNKNOWN rather than claim either way.
 */
export async function transactionOutcome<T>(
  knex: Knex,
  work: (tx: SqlTransaction) => Promise<T>,
  { outcomeDeadlineMs = OUTCOME_DEADLINE_MS }: { outcomeDeadlineMs?: number } = {},
): Promise<T> {
  const connection = await acquirePgConnection(knex);
  let txid: string | undefined;
  let done: { result: T } | undefined;
  try {
    // BEGIN and the transaction id in one round trip.
    txid = (await connection.sql.query<{ txid: string }>('BEGIN; SELECT txid_current()::text AS txid'))[0]?.txid;
    done = { result: await work(connection.sql) };
    await connection.raw.query('COMMIT');
    return done.result;
  } catch (error) {
    if (done === undefined || txid === undefined) {
      await connection.raw.query('ROLLBACK').catch(() => undefined);
      throw databaseError(error);
    }
    // The broken connection goes back first: the question needs a connection of the same pool.
    connection.release();
    const status = await commitStatus(knex, txid, outcomeDeadlineMs);
    if (status === 'committed') return done.result;
    if (status === 'aborted') throw databaseError(error);
    throw new AppError('COMMIT_OUTCOME_UNKNOWN', 'the database connection broke while committing and the database could not say since whether the write was stored; repeat the request with the same Idempotency-Key to learn its outcome', { cause: error });
  } finally {
    connection.release();
  }
}

async function commitStatus(knex: Knex, txid: string, deadlineMs: number): Promise<'committed' | 'aborted' | 'unknown'> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    try {
      const { rows } = (await knex.raw('SELECT txid_status(?::bigint) AS status', [txid])) as { rows: Array<{ status: string | null }> };
      const status = rows[0]?.status;
      if (status === 'committed' || status === 'aborted') return status;
    } catch {
      // The database may be restarting: ask again until the deadline.
    }
    await sleep(OUTCOME_POLL_MS);
  }
  return 'unknown';
}
