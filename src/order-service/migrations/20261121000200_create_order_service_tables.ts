import type { Knex } from 'knex';

/**
 * The order service's state: the latest state of each order (`orders`, `order_items`), the
 * history of every event it applied or refused (`order_events`, whose event id is the dedupe
 * key of effectively-once processing), and the status updates that arrived before their
 * OrderCreated (`pending_status_updates`), kept until the order arrives.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orders', (table) => {
    table.text('order_id').primary();
    table.text('customer_id').notNullable();
    table.timestamp('order_date', { useTz: true }).notNullable();
    table.text('currency').notNullable();
    table.decimal('total_amount', 12, 2).notNullable();
    table.decimal('shipping_cost', 12, 2).notNullable();
    table.text('status').notNullable();
    table.text('source_topic').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['status', 'order_id']);
    table.index(['source_topic', 'order_id']);
  });

  await knex.schema.createTable('order_items', (table) => {
    table.text('order_id').notNullable().references('order_id').inTable('orders').onDelete('CASCADE');
    table.integer('line_number').notNullable();
    table.text('item_id').notNullable();
    table.integer('quantity').notNullable();
    table.decimal('price', 12, 2).notNullable();
    table.primary(['order_id', 'line_number']);
  });

  await knex.schema.createTable('order_events', (table) => {
    table.uuid('event_id').primary();
    table.text('order_id').notNullable();
    table.text('event_type').notNullable();
    table.text('status').notNullable();
    table.text('outcome').notNullable();
    table.text('reason');
    table.text('topic').notNullable();
    table.integer('partition').notNullable();
    table.bigInteger('offset').notNullable();
    table.timestamp('occurred_at', { useTz: true }).notNullable();
    table.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['order_id', 'occurred_at']);
  });
  await knex.raw(`ALTER TABLE order_events ADD CONSTRAINT order_events_outcome_check CHECK (outcome IN ('applied', 'rejected'))`);

  await knex.schema.createTable('pending_status_updates', (table) => {
    table.uuid('event_id').primary();
    table.text('order_id').notNullable();
    table.text('status').notNullable();
    table.timestamp('occurred_at', { useTz: true }).notNullable();
    table.text('topic').notNullable();
    table.integer('partition').notNullable();
    table.bigInteger('offset').notNullable();
    table.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['order_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pending_status_updates');
  await knex.schema.dropTable('order_events');
  await knex.schema.dropTable('order_items');
  await knex.schema.dropTable('orders');
}
