import { expect } from 'chai';
import { avroType } from '../../../src/lib/registry';
import { localCompatibilityProblems, promisedReadPairs } from '../../../src/lib/registry/compatibility';

const pairs = (mode: Parameters<typeof promisedReadPairs>[0], count: number) =>
  promisedReadPairs(mode, count).map(({ writer, reader }) => `w${writer}->r${reader}`).sort();

describe('promisedReadPairs', () => {
  it('BACKWARD: each version reads itself and the version before it', () => {
    expect(pairs('BACKWARD', 3)).to.deep.equal(['w1->r1', 'w1->r2', 'w2->r2', 'w2->r3', 'w3->r3']);
  });

  it('FORWARD: each version is read by the version before it', () => {
    expect(pairs('FORWARD', 3)).to.deep.equal(['w1->r1', 'w2->r1', 'w2->r2', 'w3->r2', 'w3->r3']);
  });

  it('FULL: both directions between neighbours', () => {
    expect(pairs('FULL', 2)).to.deep.equal(['w1->r1', 'w1->r2', 'w2->r1', 'w2->r2']);
  });

  it('transitive modes reach every earlier version', () => {
    expect(pairs('BACKWARD_TRANSITIVE', 3)).to.deep.equal(['w1->r1', 'w1->r2', 'w1->r3', 'w2->r2', 'w2->r3', 'w3->r3']);
    expect(pairs('FULL_TRANSITIVE', 3)).to.have.length(9);
  });

  it('NONE promises only that a version reads its own data', () => {
    expect(pairs('NONE', 3)).to.deep.equal(['w1->r1', 'w2->r2', 'w3->r3']);
  });
});

describe('localCompatibilityProblems', () => {
  const record = (...fields: object[]) => avroType({ type: 'record', name: 'R', namespace: 'io.test', fields });
  const v1 = record({ name: 'a', type: 'string' }, { name: 'b', type: 'string' });

  it('accepts a field added with a default in every mode', () => {
    const v2 = record({ name: 'a', type: 'string' }, { name: 'b', type: 'string' }, { name: 'c', type: 'string', default: 'x' });
    expect(localCompatibilityProblems('FULL_TRANSITIVE', v2, [{ version: 1, type: v1 }])).to.deep.equal([]);
  });

  it('under FULL, refuses a field removed without default: v1 readers would miss it', () => {
    const v2 = record({ name: 'a', type: 'string' });
    expect(localCompatibilityProblems('BACKWARD', v2, [{ version: 1, type: v1 }])).to.deep.equal([]);
    const problems = localCompatibilityProblems('FULL', v2, [{ version: 1, type: v1 }]);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^readers of v1 cannot read its data: .*\bb$/);
  });

  it('under BACKWARD, refuses a type change, naming the version it cannot read', () => {
    const v2 = record({ name: 'a', type: 'int' }, { name: 'b', type: 'string' });
    const problems = localCompatibilityProblems('BACKWARD', v2, [{ version: 1, type: v1 }]);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^it cannot read data written with v1: /);
  });

  it('non-transitive modes look at the latest earlier version only', () => {
    const v2 = record({ name: 'a', type: 'string' });
    const v3 = record({ name: 'a', type: 'string' }, { name: 'b', type: 'string' });
    const earlier = [{ version: 1, type: v1 }, { version: 2, type: v2 }];
    expect(localCompatibilityProblems('BACKWARD', v3, earlier)).to.have.length(1);
    expect(localCompatibilityProblems('NONE', v3, earlier)).to.deep.equal([]);
  });
});
