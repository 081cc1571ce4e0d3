import type { Knex } from 'knex';

/**
 * The cart service's own record of the orders it has published, so that 404 (unknown
 * order) and 409 (duplicate id, illegal transition) survive a restart.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cart_orders', (table) => {
    table.text('order_id').primary();
    table.text('status').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('cart_orders');
}
