import type { Knex } from 'knex';

/**
 * `api_keys`: one row per API key ever created. `secret_hash` is the argon2id hash of the key's
 * secret (the key itself is shown once and never stored). A revoked key keeps its row, with
 * `revoked_at`, so `apikey:list --all` still tells who had access when.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_keys', (table) => {
    table.text('id').primary();
    table.text('name');
    table.text('role').notNullable();
    table.text('secret_hash').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('revoked_at', { useTz: true });
  });
  await knex.raw(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role CHECK (role IN ('reader', 'writer', 'admin'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_keys');
}
