import type { Knex } from '../lib/db';
import { databaseError, withDatabaseErrors } from '../lib/db';
import { NOTIFICATION_COLUMNS, toNotificationRecord, type NotificationRecord, type NotificationRow } from './notification-repository';
import type { NextStep } from './webhook-policy';

/** What became of one claimed notification: its next step, and why the attempt failed if it did. */
export interface DeliveryResult {
  id: string;
  step: NextStep;
  error?: string | undefined;
}

export interface WebhookQueue {
  /**
   * Claims up to `limit` notifications due for delivery, skipping those another instance holds,
   * and keeps them locked while `deliver` tries them; then records each result, all in ONE
   * transaction. Resolves with the results once that transaction committed, or with none when
   * nothing was due. A crash before the commit leaves the claimed rows pending, to be sent again.
   */
  deliverDue(limit: number, deliver: (due: ReadonlyArray<NotificationRecord>) => Promise<DeliveryResult[]>): Promise<DeliveryResult[]>;
  /** When the earliest pending notification is due, if any is pending. */
  nextDueAt(): Promise<Date | undefined>;
  /** How many notifications still wait for delivery. */
  backlog(): Promise<number>;
}

/** The webhook dispatcher's view of the notifications table: the pending rows, as a queue. */
export function createWebhookQueue({ knex }: { knex: Knex }): WebhookQueue {
  async function record(trx: Knex.Transaction, results: readonly DeliveryResult[]): Promise<void> {
    // Guarded by the state: a row leaves 'pending' once, so it is never marked delivered twice.
    await trx.raw(
      `UPDATE notifications AS n SET
         delivery_attempts = n.delivery_attempts + 1,
         delivery_state = v.state,
         next_attempt_at = CASE WHEN v.state = 'pending' THEN now() + v.retry_in_ms * interval '1 millisecond' END,
         delivered_at = CASE WHEN v.state = 'delivered' THEN now() END,
         last_error = NULLIF(v.error, '')
       FROM unnest(?::uuid[], ?::text[], ?::bigint[], ?::text[]) AS v(id, state, retry_in_ms, error)
       WHERE n.id = v.id AND n.delivery_state = 'pending'`,
      [
        results.map((result) => result.id),
        results.map((result) => result.step.state),
        results.map((result) => (result.step.state === 'pending' ? result.step.retryInMs : 0)),
        // knex's binding types take no nulls inside arrays: an empty error is stored as none.
        results.map((result) => result.error ?? ''),
      ],
    );
  }

  const reads = withDatabaseErrors({
    async nextDueAt(): Promise<Date | undefined> {
      const { rows } = (await knex.raw(`SELECT min(next_attempt_at) AS due FROM notifications WHERE delivery_state = 'pending'`)) as { rows: Array<{ due: Date | null }> };
      return rows[0]?.due ?? undefined;
    },

    async backlog(): Promise<number> {
      const { rows } = (await knex.raw(`SELECT count(*)::int AS pending FROM notifications WHERE delivery_state = 'pending'`)) as { rows: Array<{ pending: number }> };
      return rows[0]?.pending ?? 0;
    },
  });

  return {
    ...reads,
    async deliverDue(limit, deliver) {
      try {
        return await knex.transaction(async (trx) => {
          const { rows } = (await trx.raw(
            `SELECT ${NOTIFICATION_COLUMNS} FROM notifications
             WHERE delivery_state = 'pending' AND next_attempt_at <= now()
             ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED`,
            [limit],
          )) as { rows: NotificationRow[] };
          if (rows.length === 0) return [];
          const results = await deliver(rows.map(toNotificationRecord));
          if (results.length > 0) await record(trx, results);
          return results;
        });
      } catch (error) {
        throw databaseError(error);
      }
    },
  };
}
