import type { Knex } from 'knex';

/**
 * What the inventory service announced about each order's stock:
 *
 * - `order_stock_events`: every inventory event applied (its event id is the dedupe key), with
 *   what it named (lines, or the short items) and where it was read: the order's stock history.
 * - `order_stock`: each order's stock state now (reserved, rejected, released, committed); an
 *   order without a row is still awaiting its reservation. Kept apart from `orders`, because the
 *   inventory events travel on their own topic and may be read before the order itself.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_stock_events', (table) => {
    table.uuid('event_id').primary();
    table.text('order_id').notNullable();
    table.text('event_type').notNullable();
    table.text('state').notNullable();
    table.uuid('causation_event_id').notNullable();
    // { items } or { shortItems }, as the event named them.
    table.jsonb('details').notNullable();
    table.text('topic').notNullable();
    table.integer('partition').notNullable();
    table.bigInteger('offset').notNullable();
    table.timestamp('occurred_at', { useTz: true }).notNullable();
    table.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['order_id']);
  });

  await knex.schema.createTable('order_stock', (table) => {
    table.text('order_id').primary();
    table.text('state').notNullable();
    table.uuid('event_id').notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['state', 'order_id']);
  });
  await knex.raw(`ALTER TABLE order_stock ADD CONSTRAINT order_stock_state_check CHECK (state IN ('reserved', 'rejected', 'released', 'committed'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('order_stock');
  await knex.schema.dropTable('order_stock_events');
}
