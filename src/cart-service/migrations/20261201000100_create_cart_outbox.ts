import type { Knex } from 'knex';

/**
 * The cart service's transactional outbox and its Idempotency-Key records.
 *
 * - `cart_outbox`: each event a committed write owes Kafka, already encoded (Confluent wire
 *   format, its schema id beside it), with topic, key and headers. The relay publishes rows in
 *   id order and deletes them once Kafka acknowledged them. A statement trigger wakes the relay
 *   through NOTIFY on commit; the channel is named after the table's oid, so carts in different
 *   schemas of one database never wake each other.
 * - `cart_idempotency_keys`: the first answer to each Idempotency-Key, written in the same
 *   transaction as the write it answers, so a replay is exactly what the first request got.
 * - `cart_orders.last_event_id`: the event of the order's latest write, to tell whether it is published.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cart_outbox', (table) => {
    table.bigIncrements('id').primary();
    table.uuid('event_id').notNullable().unique();
    table.text('event_type').notNullable();
    table.text('order_id').notNullable();
    table.text('topic').notNullable();
    table.text('message_key').notNullable();
    table.binary('value').notNullable();
    table.integer('schema_id').notNullable();
    table.jsonb('headers').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    CREATE FUNCTION cart_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('orderflow_outbox_' || TG_RELID::bigint, '');
      RETURN NULL;
    END $$;
    CREATE TRIGGER cart_outbox_notify AFTER INSERT ON cart_outbox FOR EACH STATEMENT EXECUTE FUNCTION cart_outbox_notify();
  `);

  await knex.schema.createTable('cart_idempotency_keys', (table) => {
    table.text('idempotency_key').primary();
    table.text('fingerprint').notNullable();
    table.integer('status');
    // json, not jsonb: a replay sends the body exactly as first written, keys in their order.
    table.json('body');
    table.bigInteger('outbox_id');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['created_at']);
  });

  await knex.schema.alterTable('cart_orders', (table) => {
    table.uuid('last_event_id');
    table.text('last_event_type');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cart_orders', (table) => {
    table.dropColumns('last_event_id', 'last_event_type');
  });
  await knex.schema.dropTable('cart_idempotency_keys');
  await knex.schema.dropTable('cart_outbox');
  await knex.raw('DROP FUNCTION cart_outbox_notify()');
}
