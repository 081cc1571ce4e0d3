import type { Knex } from 'knex';

/**
 * The order service's index of its dead-letter topic: one row per dead letter (copies of the same
 * source record share its record id), what the dlq-* headers say about it, and whether and by
 * whom it was replayed. The topic stays the record of what was dead-lettered; this table makes it
 * listable, countable and replayable once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dead_letters', (table) => {
    // dlq-record-id (<source topic>/<partition>/<offset>), or the dead letter's own position when it has none.
    table.text('record_id').primary();
    table.text('dlq_topic').notNullable();
    table.integer('dlq_partition').notNullable();
    table.bigInteger('dlq_offset').notNullable();
    table.text('source_topic');
    table.integer('source_partition');
    table.bigInteger('source_offset');
    table.text('error_code');
    table.text('error_kind');
    table.text('error_message');
    table.text('event_type');
    table.text('event_id');
    table.binary('message_key');
    table.binary('value');
    // Every header as [name, base64 of its bytes], in record order (a name may repeat): exactly what a replay sends back.
    table.jsonb('headers').notNullable();
    table.timestamp('dead_lettered_at', { useTz: true }).notNullable();
    table.timestamp('indexed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // A replay claims the row first (started, by), publishes, then records where Kafka put it (replayed).
    table.timestamp('replay_started_at', { useTz: true });
    table.text('replayed_by');
    table.timestamp('replayed_at', { useTz: true });
    table.integer('replay_partition');
    table.bigInteger('replay_offset');
    table.index(['dead_lettered_at']);
    table.index(['message_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('dead_letters');
}
