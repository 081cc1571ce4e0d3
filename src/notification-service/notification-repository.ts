import { randomUUID } from 'node:crypto';
import type { Knex } from '../lib/db';
import { withDatabaseErrors } from '../lib/db';
import type { Json, NotificationDraft, NotificationKind } from './notification-drafts';

/** Where a notification's webhook stands (see the migration). */
export type DeliveryState = 'pending' | 'delivered' | 'gave_up' | 'webhooks_off';

/** A stored notification, as the API shows it and the webhook sends it. */
export interface NotificationRecord {
  id: string;
  orderId: string;
  kind: NotificationKind;
  message: string;
  details: { [key: string]: Json };
  occurredAt: Date;
  createdAt: Date;
  source: { eventId: string; eventType: string; topic: string; partition: number; offset: string };
  delivery: { state: DeliveryState; attempts: number; nextAttemptAt: Date | null; lastError: string | null; deliveredAt: Date | null };
}

export interface NotificationRepository {
  /**
   * Stores the drafts in one statement (one transaction), skipping any whose source event is
   * stored already; resolves with the source event ids of the rows it wrote. With `webhooks`, the
   * new rows are due for delivery at once; without, they are never sent.
   */
  insertNew(drafts: readonly NotificationDraft[], { webhooks }: { webhooks: boolean }): Promise<string[]>;
  /** Notifications newest first (by the time of their event), of one order or all, a page at a time, with how many there are. */
  list(filter: { orderId?: string | undefined; limit: number; offset: number }): Promise<{ notifications: NotificationRecord[]; total: number }>;
}

/** The columns a NotificationRecord is read from. */
export const NOTIFICATION_COLUMNS =
  'id, order_id, kind, message, details, occurred_at, created_at, source_event_id, source_event_type, source_topic, source_partition, source_offset, delivery_state, delivery_attempts, next_attempt_at, last_error, delivered_at';

export interface NotificationRow {
  id: string;
  order_id: string;
  kind: NotificationKind;
  message: string;
  details: { [key: string]: Json };
  occurred_at: Date;
  created_at: Date;
  source_event_id: string;
  source_event_type: string;
  source_topic: string;
  source_partition: number;
  // bigint arrives as text from pg, which keeps an int64 offset exact.
  source_offset: string;
  delivery_state: DeliveryState;
  delivery_attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  delivered_at: Date | null;
}

export function toNotificationRecord(row: NotificationRow): NotificationRecord {
  return {
    id: row.id,
    orderId: row.order_id,
    kind: row.kind,
    message: row.message,
    details: row.details,
    occurredAt: row.occurred_at,
    createdAt: row.created_at,
    source: { eventId: row.source_event_id, eventType: row.source_event_type, topic: row.source_topic, partition: row.source_partition, offset: row.source_offset },
    delivery: { state: row.delivery_state, attempts: row.delivery_attempts, nextAttemptAt: row.next_attempt_at, lastError: row.last_error, deliveredAt: row.delivered_at },
  };
}

/** The notification service's PostgreSQL access (its own schema, through `knex`'s search_path). */
export function createNotificationRepository({ knex }: { knex: Knex }): NotificationRepository {
  return withDatabaseErrors({
    async insertNew(drafts: readonly NotificationDraft[], { webhooks }: { webhooks: boolean }): Promise<string[]> {
      if (drafts.length === 0) return [];
      // ON CONFLICT DO NOTHING also skips the second of two drafts of one event within the batch.
      const { rows } = (await knex.raw(
        `INSERT INTO notifications (id, order_id, kind, message, details, source_event_id, source_event_type, source_topic, source_partition, source_offset,
                                    occurred_at, delivery_state, next_attempt_at)
         SELECT v.*, ?::text, CASE WHEN ?::boolean THEN now() END
         FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::jsonb[], ?::uuid[], ?::text[], ?::text[], ?::int[], ?::bigint[], ?::timestamptz[])
           AS v(id, order_id, kind, message, details, source_event_id, source_event_type, source_topic, source_partition, source_offset, occurred_at)
         ON CONFLICT (source_event_id) DO NOTHING
         RETURNING source_event_id`,
        [
          webhooks ? 'pending' : 'webhooks_off',
          webhooks,
          drafts.map(() => randomUUID()),
          drafts.map((draft) => draft.orderId),
          drafts.map((draft) => draft.kind),
          drafts.map((draft) => draft.message),
          drafts.map((draft) => JSON.stringify(draft.details)),
          drafts.map((draft) => draft.sourceEventId),
          drafts.map((draft) => draft.sourceEventType),
          drafts.map((draft) => draft.source.topic),
          drafts.map((draft) => draft.source.partition),
          drafts.map((draft) => draft.source.offset),
          drafts.map((draft) => draft.occurredAt.toISOString()),
        ],
      )) as { rows: Array<{ source_event_id: string }> };
      return rows.map((row) => row.source_event_id);
    },

    async list({ orderId, limit, offset }: { orderId?: string | undefined; limit: number; offset: number }): Promise<{ notifications: NotificationRecord[]; total: number }> {
      const filtered = () => (orderId === undefined ? knex('notifications') : knex('notifications').where({ order_id: orderId }));
      const rows = (await filtered()
        .select(knex.raw(NOTIFICATION_COLUMNS))
        .orderBy([
          { column: 'occurred_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(limit)
        .offset(offset)) as NotificationRow[];
      const [count] = (await filtered().count({ total: '*' })) as Array<{ total: string }>;
      return { notifications: rows.map(toNotificationRecord), total: Number(count?.total ?? 0) };
    },
  });
}
