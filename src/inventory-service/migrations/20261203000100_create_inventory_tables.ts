import type { Knex } from 'knex';

/**
 * The inventory service's state:
 *
 * - `stock`: per item, the units free to reserve (`available`, set through the API) and those
 *   orders hold (`reserved`); neither may go below zero, whatever happens above.
 * - `reservations`: what each order asked for and what became of it (reserved, rejected,
 *   released, committed), so a cancel releases exactly what was reserved.
 * - `answers`: the inventory event that answered each order event, by that event's id: a
 *   redelivered event is answered again with the same event (same id), never decided twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stock', (table) => {
    table.text('item_id').primary();
    table.integer('available').notNullable();
    table.integer('reserved').notNullable().defaultTo(0);
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('ALTER TABLE stock ADD CONSTRAINT stock_never_negative CHECK (available >= 0 AND reserved >= 0)');

  await knex.schema.createTable('reservations', (table) => {
    table.text('order_id').primary();
    table.text('state').notNullable();
    // [{ itemId, quantity }], one per item, sorted by item id.
    table.jsonb('lines').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE reservations ADD CONSTRAINT reservations_state_check CHECK (state IN ('reserved', 'rejected', 'released', 'committed'))`);

  await knex.schema.createTable('answers', (table) => {
    table.uuid('causation_event_id').primary();
    table.uuid('event_id').notNullable().unique();
    table.text('order_id').notNullable();
    table.text('event_type').notNullable();
    // The inventory event's fields as JSON (times as ISO strings), re-encoded when it is sent again.
    table.jsonb('event').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('answers');
  await knex.schema.dropTable('reservations');
  await knex.schema.dropTable('stock');
}
