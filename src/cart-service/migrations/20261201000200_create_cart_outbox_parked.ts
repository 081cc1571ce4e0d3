import type { Knex } from 'knex';

/**
 * Outbox rows Kafka refuses outright (a record larger than the topic accepts): the relay moves
 * them here, so one such row cannot hold back every event committed after it. Nothing is lost:
 * once the cause is fixed, an operator moves them back into `cart_outbox` to be published.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cart_outbox_parked', (table) => {
    table.bigInteger('id').primary();
    table.uuid('event_id').notNullable().unique();
    table.text('event_type').notNullable();
    table.text('order_id').notNullable();
    table.text('topic').notNullable();
    table.text('message_key').notNullable();
    table.binary('value').notNullable();
    table.integer('schema_id').notNullable();
    table.jsonb('headers').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('parked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.text('reason').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('cart_outbox_parked');
}
