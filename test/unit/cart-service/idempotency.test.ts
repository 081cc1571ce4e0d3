import { expect } from 'chai';
import { createKeyedQueue, fingerprintOf, parseIdempotencyKey, replayOf, type StoredAnswer } from '../../../src/cart-service/idempotency';
import { AppError } from '../../../src/errors';
import { parseJsonLosslessly } from '../../../src/lib/http/json-body';

/** The error `parse` throws, or a failed assertion when it throws none. */
function refusalOf(header: string): AppError {
  try {
    parseIdempotencyKey(header);
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  expect.fail(`the header ${JSON.stringify(header)} was accepted`);
}

/** A promise with its settle functions, so a test decides when work ends. */
function deferred<T = void>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/** Lets every queued promise callback run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('Idempotency-Key', () => {
  describe('parseIdempotencyKey', () => {
    it('reads no header as no key', () => {
      expect(parseIdempotencyKey(undefined)).to.equal(undefined);
    });

    it('reads a structured-field string and a bare token as the same key', () => {
      expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).to.equal('8e03978e-40d5-43e8-bc93-6894a57f9324');
      expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).to.equal('8e03978e-40d5-43e8-bc93-6894a57f9324');
    });

    it('ignores whitespace around the value', () => {
      expect(parseIdempotencyKey('  "abc"\t')).to.equal('abc');
      expect(parseIdempotencyKey(' abc ')).to.equal('abc');
    });

    it('unescapes \\" and \\\\ inside a structured-field string', () => {
      expect(parseIdempotencyKey('"a\\"b\\\\c"')).to.equal('a"b\\c');
    });

    it('accepts 255 visible ASCII characters, every one of them', () => {
      const visible = Array.from({ length: 0x7e - 0x21 + 1 }, (_, index) => String.fromCharCode(0x21 + index)).join('');
      const key = visible.repeat(3).slice(0, 255);
      expect(parseIdempotencyKey(key)).to.equal(key);
      expect(parseIdempotencyKey(`"${'k'.repeat(255)}"`)).to.equal('k'.repeat(255));
    });

    it('counts an escaped character once: 255 escaped quotes make a key of 255 characters', () => {
      expect(parseIdempotencyKey(`"${'\\"'.repeat(255)}"`)).to.equal('"'.repeat(255));
      expect(refusalOf(`"${'\\"'.repeat(256)}"`).code).to.equal('VALIDATION_FAILED');
    });

    it('reads a bare key with quotes after its first character as it is', () => {
      expect(parseIdempotencyKey('a"b"')).to.equal('a"b"');
    });

    const refused: Array<{ what: string; header: string }> = [
      { what: 'an empty header', header: '' },
      { what: 'a header of spaces', header: '   ' },
      { what: 'an empty structured-field string', header: '""' },
      { what: '256 characters', header: 'k'.repeat(256) },
      { what: 'a quoted string of 256 characters', header: `"${'k'.repeat(256)}"` },
      { what: 'a space inside', header: '"two words"' },
      { what: 'a tab inside', header: 'a\tb' },
      { what: 'a control character', header: 'a\u0001b' },
      { what: 'a character beyond ASCII', header: 'clé' },
      { what: 'DEL', header: 'a\u007fb' },
      { what: 'a structured-field string without its closing quote', header: '"abc' },
      { what: 'no-break spaces around it (only spaces and tabs are trimmed)', header: '\u00a0abc\u00a0' },
      { what: 'an unescaped quote inside a structured-field string', header: '"a"b"' },
      { what: 'a backslash that escapes neither a quote nor a backslash', header: '"a\\b"' },
    ];
    for (const { what, header } of refused) {
      it(`refuses ${what} with 400 VALIDATION_FAILED naming Idempotency-Key`, () => {
        const error = refusalOf(header);
        expect(error.code).to.equal('VALIDATION_FAILED');
        expect(error.httpStatus).to.equal(400);
        expect(error.fieldErrors.map((fieldError) => fieldError.field)).to.deep.equal(['Idempotency-Key']);
      });
    }
  });

  describe('fingerprintOf', () => {
    const body = { orderId: 'ORDER-1', items: [{ itemId: 'A', quantity: 2, price: '1.50' }], totalAmount: '3.00' };

    it('is the same for the same operation and body', () => {
      expect(fingerprintOf('create-order', body)).to.equal(fingerprintOf('create-order', structuredClone(body)));
    });

    it('does not depend on the order of keys, nested ones included', () => {
      const reordered = { totalAmount: '3.00', items: [{ price: '1.50', quantity: 2, itemId: 'A' }], orderId: 'ORDER-1' };
      expect(fingerprintOf('create-order', reordered)).to.equal(fingerprintOf('create-order', body));
    });

    it('does not depend on how a number is spelled in the JSON text', () => {
      const spelled = (quantity: string, price: string) =>
        fingerprintOf('create-order', parseJsonLosslessly(`{ "orderId": "ORDER-1", "quantity": ${quantity}, "price": ${price} }`));
      expect(spelled('2.0', '1.5')).to.equal(spelled('2', '1.5'));
      expect(spelled('2e0', '15e-1')).to.equal(spelled('2', '1.5'));
    });

    it('differs for another operation with the same body', () => {
      expect(fingerprintOf('update-order', body)).to.not.equal(fingerprintOf('create-order', body));
    });

    it('differs when a value differs, even by a cent or by the order of the items', () => {
      expect(fingerprintOf('create-order', { ...body, totalAmount: '3.01' })).to.not.equal(fingerprintOf('create-order', body));
      const twoItems = { orderId: 'ORDER-1', items: [{ itemId: 'A' }, { itemId: 'B' }] };
      const swapped = { orderId: 'ORDER-1', items: [{ itemId: 'B' }, { itemId: 'A' }] };
      expect(fingerprintOf('create-order', swapped)).to.not.equal(fingerprintOf('create-order', twoItems));
    });
  });

  describe('createKeyedQueue', () => {
    it('runs work with the same key one after the other, in arrival order', async () => {
      const inTurn = createKeyedQueue();
      const started: string[] = [];
      const first = deferred<string>();
      const second = deferred<string>();
      const results = [
        inTurn('K', () => {
          started.push('first');
          return first.promise;
        }),
        inTurn('K', () => {
          started.push('second');
          return second.promise;
        }),
        inTurn('K', async () => {
          started.push('third');
          return 'third';
        }),
      ];
      await settled();
      expect(started).to.deep.equal(['first']);
      first.resolve('first');
      await settled();
      expect(started).to.deep.equal(['first', 'second']);
      second.resolve('second');
      expect(await Promise.all(results)).to.deep.equal(['first', 'second', 'third']);
      expect(started).to.deep.equal(['first', 'second', 'third']);
    });

    it('runs work with different keys in parallel', async () => {
      const inTurn = createKeyedQueue();
      const started: string[] = [];
      const a = deferred<string>();
      const b = deferred<string>();
      const results = Promise.all([
        inTurn('A', () => {
          started.push('A');
          return a.promise;
        }),
        inTurn('B', () => {
          started.push('B');
          return b.promise;
        }),
      ]);
      await settled();
      expect(started).to.deep.equal(['A', 'B']);
      b.resolve('b');
      a.resolve('a');
      expect(await results).to.deep.equal(['a', 'b']);
    });

    it('hands a failure to its own caller and still runs the next work with that key', async () => {
      const inTurn = createKeyedQueue();
      const failing = deferred();
      const failed = inTurn('K', () => failing.promise);
      let nextStarted = false;
      const next = inTurn('K', async () => {
        nextStarted = true;
        return 'next';
      });
      await settled();
      expect(nextStarted, 'the next waits for the failing one').to.equal(false);
      failing.reject(new Error('boom'));
      const [failure, success] = await Promise.allSettled([failed, next]);
      expect(failure).to.deep.include({ status: 'rejected' });
      expect(failure.status === 'rejected' ? (failure.reason as Error).message : undefined).to.equal('boom');
      expect(success).to.deep.equal({ status: 'fulfilled', value: 'next' });
    });

    it('treats work that throws synchronously as a failure of that work only', async () => {
      const inTurn = createKeyedQueue();
      const thrown = inTurn('K', () => {
        throw new Error('sync');
      });
      const after = inTurn('K', async () => 'after');
      await expectRejection(thrown, 'sync');
      expect(await after).to.equal('after');
    });

    it('starts work at once again after the key has gone idle', async () => {
      const inTurn = createKeyedQueue();
      expect(await inTurn('K', async () => 1)).to.equal(1);
      let started = false;
      const gate = deferred<number>();
      const later = inTurn('K', () => {
        started = true;
        return gate.promise;
      });
      await settled();
      expect(started).to.equal(true);
      gate.resolve(2);
      expect(await later).to.equal(2);
    });
  });
});

async function expectRejection(promise: Promise<unknown>, message: string): Promise<void> {
  const outcome = (await Promise.allSettled([promise]))[0];
  expect(outcome?.status).to.equal('rejected');
  expect(outcome?.status === 'rejected' ? (outcome.reason as Error).message : undefined).to.equal(message);
}

describe('replayOf', () => {
  const claim = { key: 'key-1', fingerprint: fingerprintOf('create-order', { orderId: 'ORD-1', numItems: 2 }) };
  const stored: StoredAnswer = { fingerprint: claim.fingerprint, status: 201, body: { success: true, message: 'order ORD-1 created', data: { orderId: 'ORD-1' } }, outboxId: '42' };

  it('replays the stored answer of the same request, with the outbox row its write produced', () => {
    expect(replayOf(stored, claim)).to.deep.equal({ answer: stored, outboxId: '42' });
  });

  it('replays a stored refusal, which produced no outbox row, as it was', () => {
    const refusal: StoredAnswer = { fingerprint: claim.fingerprint, status: 409, body: { success: false, code: 'CONFLICT', message: "order 'ORD-1' already exists" } };
    expect(replayOf(refusal, claim)).to.deep.equal({ answer: refusal });
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED, with no outbox row, when the key first came with another request', () => {
    const other = { key: claim.key, fingerprint: fingerprintOf('create-order', { orderId: 'ORD-2', numItems: 2 }) };
    const { answer, outboxId } = replayOf(stored, other);
    expect(answer.status).to.equal(422);
    expect(answer.body).to.include({ success: false, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(outboxId).to.equal(undefined);
  });
});
