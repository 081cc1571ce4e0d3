import type { Knex } from 'knex';

/**
 * The notification service's state: `notifications`, one row per meaningful event of the order
 * and inventory topics, readable by order.
 *
 * - `source_event_id` is unique: a redelivered or duplicated event (same event id) adds nothing,
 *   whichever topic or partition it comes back on.
 * - The delivery columns drive the webhook: `pending` rows are POSTed once `next_attempt_at` has
 *   come; `delivered` after a 2xx (then `delivered_at`), `gave_up` when the receiver refused for
 *   good or the attempts ran out, `webhooks_off` when no WEBHOOK_URL was configured as it was stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (table) => {
    table.uuid('id').primary();
    table.text('order_id').notNullable();
    table.text('kind').notNullable();
    table.text('message').notNullable();
    table.jsonb('details').notNullable();
    table.uuid('source_event_id').notNullable().unique();
    table.text('source_event_type').notNullable();
    table.text('source_topic').notNullable();
    table.integer('source_partition').notNullable();
    table.bigInteger('source_offset').notNullable();
    table.timestamp('occurred_at', { useTz: true }).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.text('delivery_state').notNullable();
    table.integer('delivery_attempts').notNullable().defaultTo(0);
    table.timestamp('next_attempt_at', { useTz: true });
    table.text('last_error');
    table.timestamp('delivered_at', { useTz: true });
  });
  await knex.raw(
    `ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
     CHECK (kind IN ('order_placed', 'stock_reserved', 'out_of_stock', 'stock_released', 'stock_committed', 'status_changed'))`,
  );
  await knex.raw(`ALTER TABLE notifications ADD CONSTRAINT notifications_delivery_state_check CHECK (delivery_state IN ('pending', 'delivered', 'gave_up', 'webhooks_off'))`);
  // A pending row always knows when to be tried; a delivered one when it was.
  await knex.raw(`ALTER TABLE notifications ADD CONSTRAINT notifications_pending_has_next_attempt CHECK (delivery_state <> 'pending' OR next_attempt_at IS NOT NULL)`);
  await knex.raw(`ALTER TABLE notifications ADD CONSTRAINT notifications_delivered_has_time CHECK (delivery_state <> 'delivered' OR delivered_at IS NOT NULL)`);
  // The API lists newest first, by order or all of them.
  await knex.raw('CREATE INDEX notifications_by_order ON notifications (order_id, occurred_at DESC, id DESC)');
  await knex.raw('CREATE INDEX notifications_by_time ON notifications (occurred_at DESC, id DESC)');
  // The webhook dispatcher's queue: only the rows still to deliver, by when they are due.
  await knex.raw(`CREATE INDEX notifications_webhook_due ON notifications (next_attempt_at) WHERE delivery_state = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
}
