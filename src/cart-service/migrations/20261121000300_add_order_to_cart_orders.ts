import type { Knex } from 'knex';

/**
 * The cart service keeps the order it published (as its JSON view, money as strings), so a
 * status update can answer with the whole order in its new status.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cart_orders', (table) => {
    table.jsonb('order');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cart_orders', (table) => {
    table.dropColumn('order');
  });
}
