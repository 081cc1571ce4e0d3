import type { Knex } from 'knex';

/**
 * What the order service's retention job looks up: refused events by age (a partial index, so
 * applied events, the bulk of the history, pay nothing for it) and parked updates by age.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX order_events_rejected_recorded_at_index ON order_events (recorded_at) WHERE outcome = 'rejected'`);
  await knex.schema.alterTable('pending_status_updates', (table) => {
    table.index(['received_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pending_status_updates', (table) => {
    table.dropIndex(['received_at']);
  });
  await knex.raw('DROP INDEX order_events_rejected_recorded_at_index');
}
