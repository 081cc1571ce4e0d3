import type { Knex } from 'knex';

/** What orders-per-minute looks up: orders by order date, a window of minutes at a time. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (table) => {
    table.index(['order_date']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (table) => {
    table.dropIndex(['order_date']);
  });
}
