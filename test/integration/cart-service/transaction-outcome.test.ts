import { expect } from 'chai';
import type { Socket } from 'node:net';
import { transactionOutcome } from '../../../src/cart-service/transaction-outcome';
import type { Knex } from '../../../src/lib/db';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../../helpers/test-env';

/** The parts of a pg client this test reaches into, to cut its socket right after COMMIT is written. */
interface PgConnection {
  query(config: unknown, ...rest: unknown[]): unknown;
  connection: { stream: Socket };
}

/**
 * Makes the transaction's connection drop the moment COMMIT has been written to it, so the
 * server commits while the client only sees its connection break — the case where a service
 * must not answer "nothing stored".
 */
async function cutConnectionAfterCommit(trx: Knex.Transaction): Promise<void> {
  // knex's typings return the driver connection as any; it is a pg Client here.
  const connection = (await trx.client.acquireConnection()) as PgConnection;
  const query = connection.query.bind(connection);
  connection.query = (config: unknown, ...rest: unknown[]) => {
    const result = query(config, ...rest);
    const text = typeof config === 'string' ? config : (config as { text?: string }).text;
    if (/^COMMIT/i.test(text ?? '')) connection.connection.stream.destroy();
    return result;
  };
}

describe('a write transaction whose outcome must be told truthfully', function () {
  this.timeout(30_000);
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase(testConfig());
    await db.knex.schema.createTable('writes', (table) => table.text('id').primary());
  });

  after(async () => {
    await db?.destroy();
  });

  const stored = async (id: string) => (await db.knex('writes').where({ id }).first()) !== undefined;

  it('when the connection breaks after COMMIT reached the server, it asks the database and resolves with the result of the committed work', async () => {
    const id = `W-${uniqueSuffix()}`;
    const result = await transactionOutcome(db.knex, async (trx) => {
      await trx('writes').insert({ id });
      await cutConnectionAfterCommit(trx);
      return 'the answer';
    });
    expect(result).to.equal('the answer');
    expect(await stored(id)).to.equal(true);
  });

  it('when COMMIT itself fails, it rethrows and nothing is stored', async () => {
    await db.knex.raw(`
      CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id LIKE 'REFUSED-%' THEN RAISE EXCEPTION 'refused at commit (test)'; END IF; RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON writes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit();
    `);
    const id = `REFUSED-${uniqueSuffix()}`;
    const outcome = await transactionOutcome(db.knex, async (trx) => void (await trx('writes').insert({ id }))).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    expect(outcome).to.match(/refused at commit/);
    expect(await stored(id)).to.equal(false);
  });

  it('when the database cannot be asked after the connection broke, it rejects with COMMIT_OUTCOME_UNKNOWN (504) instead of guessing', async () => {
    const config = testConfig();
    let connections = 0;
    // A pool that refuses every connection after the first, as a database gone away would.
    const { default: knexFactory } = await import('knex');
    const lonely = knexFactory({
      client: 'pg',
      connection: config.DATABASE_URL,
      searchPath: [db.schema],
      pool: {
        min: 0,
        max: 1,
        afterCreate: (_connection: unknown, done: (error: Error | null) => void) => {
          connections += 1;
          done(connections > 1 ? new Error('connection refused (test)') : null);
        },
      },
      acquireConnectionTimeout: 300,
      // The refused connections are the point of the test, not news.
      log: { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined },
    });
    try {
      const id = `W-${uniqueSuffix()}`;
      const outcome = await transactionOutcome(
        lonely,
        async (trx) => {
          await trx('writes').insert({ id });
          await cutConnectionAfterCommit(trx);
        },
        { outcomeDeadlineMs: 1_000 },
      ).then(
        () => undefined,
        (error: { code?: string; httpStatus?: number }) => ({ code: error.code, httpStatus: error.httpStatus }),
      );
      expect(outcome).to.deep.equal({ code: 'COMMIT_OUTCOME_UNKNOWN', httpStatus: 504 });
      expect(await stored(id), 'it did commit: the answer could not have said otherwise').to.equal(true);
    } finally {
      await lonely.destroy();
    }
  });
});
