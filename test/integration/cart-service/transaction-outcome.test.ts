import { expect } from 'chai';
import type { Socket } from 'node:net';
import knexFactory, { type Knex } from 'knex';
import { transactionOutcome } from '../../../src/cart-service/transaction-outcome';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';
import { CART_DATABASE } from '../../../src/cart-service';

/** The parts of a pg client this test reaches into, to cut its socket right after COMMIT is written. */
interface PgConnection {
  query(config: unknown, ...rest: unknown[]): unknown;
  connection: { stream: Socket };
}

const QUIET = { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined };

/**
 * A knex over the test's schema whose connections can be told to drop the moment their next
 * COMMIT has been written, so the server commits while the client only sees its connection
 * break — the case where a service must not answer "nothing stored". With `refuseAfterFirst`,
 * the pool refuses every connection after the first, as a database gone away would.
 */
function knexCuttingCommits(url: string, schema: string, { refuseAfterFirst = false } = {}) {
  let cutNext = false;
  let connections = 0;
  const knex: Knex = knexFactory({
    client: 'pg',
    connection: url,
    searchPath: [schema],
    pool: {
      min: 0,
      max: 1,
      afterCreate: (connection: PgConnection, done: (error: Error | null) => void) => {
        connections += 1;
        const query = connection.query.bind(connection);
        connection.query = (config: unknown, ...rest: unknown[]) => {
          const result = query(config, ...rest);
          const text = typeof config === 'string' ? config : (config as { text?: string }).text;
          if (cutNext && /^COMMIT/i.test(text ?? '')) {
            cutNext = false;
            connection.connection.stream.destroy();
          }
          return result;
        };
        done(refuseAfterFirst && connections > 1 ? new Error('connection refused (test)') : null);
      },
    },
    acquireConnectionTimeout: 300,
    // Refused connections are the point of one test, not news.
    log: QUIET,
  });
  return { knex, cutNextCommit: () => void (cutNext = true) };
}

describe('a write transaction whose outcome must be told truthfully', function () {
  this.timeout(30_000);
  const config = testConfig();
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase(CART_DATABASE, config);
    await db.knex.schema.createTable('writes', (table) => table.text('id').primary());
  });

  after(async () => {
    await db?.destroy();
  });

  const stored = async (id: string) => (await db.knex('writes').where({ id }).first()) !== undefined;

  it('when the connection breaks after COMMIT reached the server, it asks the database and resolves with the result of the committed work', async () => {
    const { knex, cutNextCommit } = knexCuttingCommits(config.DATABASE_URL, db.schema);
    try {
      const id = `W-${uniqueSuffix()}`;
      const result = await transactionOutcome(knex, async (tx) => {
        await tx.query('INSERT INTO writes (id) VALUES ($1)', [id]);
        cutNextCommit();
        return 'the answer';
      });
      expect(result).to.equal('the answer');
      expect(await stored(id)).to.equal(true);
    } finally {
      await knex.destroy();
    }
  });

  it('when COMMIT itself fails, it rethrows and nothing is stored', async () => {
    await db.knex.raw(`
      CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id LIKE 'REFUSED-%' THEN RAISE EXCEPTION 'refused at commit (test)'; END IF; RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON writes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit();
    `);
    const id = `REFUSED-${uniqueSuffix()}`;
    const outcome = await transactionOutcome(db.knex, async (tx) => void (await tx.query('INSERT INTO writes (id) VALUES ($1)', [id]))).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    expect(outcome).to.match(/refused at commit/);
    expect(await stored(id)).to.equal(false);
  });

  it('when the work fails, it rolls back, rethrows, and the connection serves the next transaction', async () => {
    const id = `W-${uniqueSuffix()}`;
    const failed = await transactionOutcome(db.knex, async (tx) => {
      await tx.query('INSERT INTO writes (id) VALUES ($1)', [id]);
      await tx.query('SELECT no_such_column FROM writes');
    }).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    expect(failed).to.match(/no_such_column/);
    expect(await stored(id)).to.equal(false);
    expect(await transactionOutcome(db.knex, async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one'))[0]?.one)).to.equal(1);
  });

  it('when the database cannot be asked after the connection broke, it rejects with COMMIT_OUTCOME_UNKNOWN (504) instead of guessing', async () => {
    const { knex, cutNextCommit } = knexCuttingCommits(config.DATABASE_URL, db.schema, { refuseAfterFirst: true });
    try {
      const id = `W-${uniqueSuffix()}`;
      const outcome = await transactionOutcome(
        knex,
        async (tx) => {
          await tx.query('INSERT INTO writes (id) VALUES ($1)', [id]);
          cutNextCommit();
        },
        { outcomeDeadlineMs: 1_000 },
      ).then(
        () => undefined,
        (error: { code?: string; httpStatus?: number }) => ({ code: error.code, httpStatus: error.httpStatus }),
      );
      expect(outcome).to.deep.equal({ code: 'COMMIT_OUTCOME_UNKNOWN', httpStatus: 504 });
      expect(await stored(id), 'it did commit: the answer could not have said otherwise').to.equal(true);
    } finally {
      await knex.destroy();
    }
  });
});
