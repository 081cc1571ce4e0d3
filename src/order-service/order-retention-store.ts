import { withDatabaseErrors, type Knex } from '../lib/db';
import { lockPartition } from './order-repository';

/** The retention job's reads and writes (see order-retention.ts). */
export function createOrderRetentionStore({ knex }: { knex: Knex }) {
  return withDatabaseErrors({
    /**
     * Refuses the status updates parked before `before` whose order never arrived: each moves
     * into the event history as 'rejected' with `reason`, under its partition's lock, so no batch
     * applies it meanwhile. Resolves with the refused updates.
     */
    async expireParkedUpdates(before: Date, reason: string): Promise<Array<{ eventId: string; orderId: string }>> {
      const partitions = (await knex('pending_status_updates').distinct('topic', 'partition').where('received_at', '<', before)) as Array<{ topic: string; partition: number }>;
      const expired: Array<{ eventId: string; orderId: string }> = [];
      for (const { topic, partition } of partitions) {
        const rows = await knex.transaction(async (trx) => {
          await lockPartition(trx, topic, partition);
          const result = (await trx.raw(
            `WITH expired AS (
               DELETE FROM pending_status_updates WHERE topic = ? AND partition = ? AND received_at < ? RETURNING *
             )
             INSERT INTO order_events (event_id, order_id, event_type, status, outcome, reason, topic, partition, "offset", occurred_at, recorded_at)
             SELECT event_id, order_id, 'OrderStatusUpdated', status, 'rejected', ?, topic, partition, "offset", occurred_at, now() FROM expired
             ON CONFLICT (event_id) DO NOTHING
             RETURNING event_id, order_id`,
            [topic, partition, before, reason],
          )) as { rows: Array<{ event_id: string; order_id: string }> };
          return result.rows;
        });
        for (const row of rows) expired.push({ eventId: row.event_id, orderId: row.order_id });
      }
      return expired;
    },

    /** Deletes refused events recorded before `before`, at most `limit`; resolves with how many. */
    async pruneRejectedEvents(before: Date, limit: number): Promise<number> {
      const result = (await knex.raw(
        `DELETE FROM order_events WHERE event_id IN (
           SELECT event_id FROM order_events WHERE outcome = 'rejected' AND recorded_at < ? LIMIT ?
         )`,
        [before, limit],
      )) as { rowCount: number };
      return result.rowCount;
    },
  });
}

export type OrderRetentionStore = ReturnType<typeof createOrderRetentionStore>;
