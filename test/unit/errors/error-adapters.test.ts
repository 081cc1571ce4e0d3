import { expect } from 'chai';
import { AppError, asUnavailable, toAppError } from '../../../src/errors';
import { databaseError, withDatabaseErrors } from '../../../src/lib/db';
import { isRecordRefused, kafkaError } from '../../../src/lib/kafka';

/** Each adapter translates its own failures at its boundary; the normaliser only knows network failures and bugs. */
describe('error adapters', () => {
  describe('database (lib/db)', () => {
    it("keeps a database error's own words and drops the statement knex puts before them, values included", () => {
      const knexError = Object.assign(new Error("insert into \"cart_idempotency_keys\" (\"idempotency_key\") values ('secret-key') - deadlock detected"), { code: '40P01' });
      const appError = databaseError(knexError);
      expect(appError.code).to.equal('DEPENDENCY_UNAVAILABLE');
      expect(appError.message).to.equal('the database is unavailable: deadlock detected');
    });

    it('calls a terminated connection, a pool timeout and a refused connection retriable, and a syntax error a bug', () => {
      expect(databaseError(Object.assign(new Error('terminating connection'), { code: '57P01' })).retriable).to.equal(true);
      expect(databaseError(Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })).retriable).to.equal(true);
      expect(databaseError(new Error('Connection terminated unexpectedly')).retriable).to.equal(true);
      expect(databaseError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).retriable).to.equal(true);
      const bug = databaseError(Object.assign(new Error('select * from "orders" where "x" = 1 - syntax error at or near "x"'), { code: '42601' }));
      expect(bug.code).to.equal('INTERNAL');
      expect(bug.message, 'no statement in the message').to.equal('syntax error at or near "x"');
    });

    it('translates every failure of a wrapped repository, and passes results through', async () => {
      const repository = withDatabaseErrors({
        async ok(value: number) {
          return value * 2;
        },
        async broken(): Promise<void> {
          throw Object.assign(new Error('the database system is shutting down'), { code: '57P03' });
        },
      });
      expect(await repository.ok(21)).to.equal(42);
      const failure = await repository.broken().catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(AppError).and.to.include({ code: 'DEPENDENCY_UNAVAILABLE' });
    });
  });

  describe('Kafka (lib/kafka)', () => {
    it('calls a connection error or a retriable broker error retriable, and keeps a refusal visible through the translation', () => {
      expect(kafkaError(Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' })).retriable).to.equal(true);
      expect(kafkaError(Object.assign(new Error('Not leader'), { name: 'KafkaJSProtocolError', retriable: true })).retriable).to.equal(true);
      const refused = Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false });
      const translated = kafkaError(refused);
      expect(translated.code).to.equal('INTERNAL');
      expect(isRecordRefused(translated), 'the refusal is still recognised').to.equal(true);
      expect(isRecordRefused(kafkaError(new Error('something else')))).to.equal(false);
    });
  });

  describe('the normaliser (errors.ts)', () => {
    it('passes an AppError through, calls a network failure retriable and anything else INTERNAL, without reading messages', () => {
      const own = new AppError('NOT_FOUND', 'no such order');
      expect(toAppError(own)).to.equal(own);
      expect(toAppError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' })).code).to.equal('DEPENDENCY_UNAVAILABLE');
      expect(toAppError(Object.assign(new Error('terminating connection'), { code: '57P01' })).code, 'an untranslated database error is not guessed').to.equal('INTERNAL');
      expect(toAppError(new Error('Connection terminated')).code).to.equal('INTERNAL');
    });
  });
});

describe('asUnavailable', () => {
  it('keeps a retriable failure as it is and turns any other into a 503 naming the dependency', () => {
    const down = new AppError('DEPENDENCY_UNAVAILABLE', 'connection refused');
    expect(asUnavailable('Kafka', down)).to.equal(down);
    const odd = asUnavailable('the schema registry', new Error('unexpected reply'));
    expect(odd).to.include({ code: 'DEPENDENCY_UNAVAILABLE', httpStatus: 503, retriable: true });
    expect(odd.message).to.equal('the schema registry could not answer: unexpected reply');
  });
});
