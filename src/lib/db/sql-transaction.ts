import type { Knex } from 'knex';
import { databaseError } from './database-errors';

/** A transaction's connection: parameterised SQL (`$1`, `$2` …) straight to pg, returning rows. */
export interface SqlTransaction {
  query<Row extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
}

/** What this module uses of the pg client knex pools. */
interface PooledPgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: object[] } | Array<{ rows: object[] }>>;
  /** A named statement is prepared once per connection and then only bound and run. */
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: object[] }>;
}

/** Most distinct statements prepared by name; the hot paths have a handful, so more means text built per call. */
const MAX_PREPARED = 100;
const preparedNames = new Map<string, string>();

/**
 * The name under which a statement with parameters is prepared on each connection, so later runs
 * are only bound and executed: parsing and planning the same text on every request costs both
 * the service and the database. Undefined (run unnamed) once MAX_PREPARED texts have names.
 */
function preparedName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED) preparedNames.set(text, (name = `orderflow_${preparedNames.size + 1}`));
  return name;
}

/** A pg query config that runs `text` as a statement prepared once per connection (see preparedName), for callers holding a bare pg client. */
export function preparedStatement(text: string, values: unknown[]): { name?: string; text: string; values: unknown[] } {
  const name = preparedName(text);
  return name === undefined ? { text, values } : { name, text, values };
}

/**
 * A connection of `knex`'s pool (same settings, search path and limits), used through pg
 * directly (its failures, and those of `sql`, come as AppErrors; `raw` is the bare client): on a hot path a knex transaction costs a few times the database's own time in
 * query building and bookkeeping. `release` hands it back (once, however often it is called); knex discards a broken one.
 */
export async function acquirePgConnection(knex: Knex): Promise<{ sql: SqlTransaction; raw: PooledPgClient; release(): void }> {
  // knex types its driver connection as any: it is the pg Client it created for its pool.
  const raw = (await knex.client.acquireConnection().catch((error: unknown) => {
    throw databaseError(error);
  })) as PooledPgClient;
  let released = false;
  return {
    raw,
    sql: {
      async query<Row extends object>(text: string, values?: unknown[]): Promise<Row[]> {
        const name = values === undefined ? undefined : preparedName(text);
        const running = name === undefined || values === undefined ? raw.query(text, values) : raw.query({ name, text, values });
        const result = await running.catch((error: unknown) => {
          throw databaseError(error);
        });
        return (Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows) as Row[];
      },
    },
    release() {
      if (released) return;
      released = true;
      void knex.client.releaseConnection(raw);
    },
  };
}
