import { expect } from 'chai';
import { toAppError } from '../../../src/errors';

describe('toAppError', () => {
  it("keeps a database error's own words and drops the statement knex puts before them, values included", () => {
    const knexError = Object.assign(new Error("insert into \"cart_idempotency_keys\" (\"idempotency_key\") values ('secret-key') - deadlock detected"), { code: '40P01' });
    const appError = toAppError(knexError);
    expect(appError.code).to.equal('DEPENDENCY_UNAVAILABLE');
    expect(appError.message).to.equal('a dependency is unavailable: deadlock detected');
  });

  it('keeps the whole message of a failure that is not a database error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5 - retrying'), { code: 'ECONNREFUSED' });
    expect(toAppError(refused).message).to.equal('a dependency is unavailable: connect ECONNREFUSED 127.0.0.1:5 - retrying');
  });
});
