import { expect } from 'chai';
import { AppError } from '../../../src/errors';
import { toHttpAppError } from '../../../src/lib/http/error-mapping';

/** An error as http-errors makes it: status, statusCode and expose set. */
function httpError(status: number, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: status < 500, ...extra });
}

describe('http: errors mapped to AppError kinds', () => {
  it('maps client errors carrying a 4xx status to the matching kind', () => {
    const cases: Array<[number, string]> = [
      [400, 'MALFORMED_REQUEST'],
      [404, 'NOT_FOUND'],
      [413, 'PAYLOAD_TOO_LARGE'],
      [415, 'UNSUPPORTED_MEDIA_TYPE'],
      [408, 'MALFORMED_REQUEST'],
      [411, 'MALFORMED_REQUEST'],
      [499, 'MALFORMED_REQUEST'],
    ];
    for (const [status, code] of cases) {
      expect(toHttpAppError(httpError(status, 'boom')).code, String(status)).to.equal(code);
    }
  });

  it("reads `statusCode` when there is no `status`, and Express's URIError for an undecodable path", () => {
    expect(toHttpAppError(Object.assign(new Error('x'), { statusCode: 404 })).code).to.equal('NOT_FOUND');
    const uriError = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400, statusCode: 400 });
    const mapped = toHttpAppError(uriError);
    expect(mapped.code).to.equal('MALFORMED_REQUEST');
    expect(mapped.message).to.equal('the request path is not valid percent-encoding');
  });

  it('shows an exposed message (one line, bounded) and a generic one otherwise, never a stack', () => {
    const zlibLike = Object.assign(new Error('incorrect header check'), { errno: -3, code: 'Z_DATA_ERROR', status: 400, statusCode: 400, expose: true });
    expect(toHttpAppError(zlibLike).message).to.equal('the request could not be read: incorrect header check');
    const notExposed = Object.assign(new Error('secret internals at /srv/app.ts:12'), { status: 400 });
    expect(toHttpAppError(notExposed).message).to.equal('the request could not be read');
    const multiLine = httpError(400, `first line\n    at Object.<anonymous> (/srv/x.ts:1:1)\n${'y'.repeat(500)}`);
    const message = toHttpAppError(multiLine).message;
    expect(message).to.equal('the request could not be read: first line');
    expect(toHttpAppError(httpError(400, 'z'.repeat(1000))).message.length).to.be.below(260);
  });

  it('keeps errors that are not client errors as they were', () => {
    expect(toHttpAppError(httpError(500, 'boom')).code).to.equal('INTERNAL');
    expect(toHttpAppError(httpError(503, 'boom')).code).to.equal('INTERNAL');
    expect(toHttpAppError(Object.assign(new Error('x'), { status: 400, expose: false })).code).to.equal('INTERNAL');
    expect(toHttpAppError(Object.assign(new Error('x'), { status: '400' })).code).to.equal('INTERNAL');
    expect(toHttpAppError(new Error('a bug')).code).to.equal('INTERNAL');
    expect(toHttpAppError('a string').code).to.equal('INTERNAL');
    expect(toHttpAppError(null).code).to.equal('INTERNAL');
    const appError = new AppError('CONFLICT', 'taken');
    expect(toHttpAppError(appError)).to.equal(appError);
  });

  it('classifies a dependency failure before looking at any status it carries', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8081'), { code: 'ECONNREFUSED', status: 400 });
    expect(toHttpAppError(refused).code).to.equal('DEPENDENCY_UNAVAILABLE');
  });

  it("maps body-parser's own errors by their type, before their status", () => {
    expect(toHttpAppError(httpError(400, 'Unexpected token', { type: 'entity.parse.failed' })).message).to.equal('the request body is not valid JSON');
    expect(toHttpAppError(httpError(413, 'request entity too large', { type: 'entity.too.large' })).code).to.equal('PAYLOAD_TOO_LARGE');
    expect(toHttpAppError(httpError(403, 'unsupported charset "LATIN1"', { type: 'charset.unsupported' })).code).to.equal('UNSUPPORTED_MEDIA_TYPE');
    expect(toHttpAppError(httpError(400, 'x', { type: 'constructor' })).code).to.equal('MALFORMED_REQUEST');
  });
});
