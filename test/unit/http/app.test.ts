import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { AppError, DEFAULT_RETRY_AFTER_SECONDS } from '../../../src/errors';
import { Router } from 'express';
import { createHttpApp, listen, type RunningServer } from '../../../src/lib/http';
import { createMetrics } from '../../../src/lib/metrics';
import { createLogger } from '../../../src/logger';

describe('http: createHttpApp', () => {
  let server: RunningServer;
  let base: string;

  before(async () => {
    const app = createHttpApp({
      metrics: createMetrics('cart-service'),
      logger: createLogger('silent'),
      bodyLimit: '1kb',
      readiness: [{ name: 'database', check: () => Promise.reject(new Error('down')) }],
      routes(router) {
        router.post('/echo', (req, res) => {
          res.json({ body: req.body as unknown });
        });
        router.get('/things/:id', (req, res) => {
          res.json({ id: req.params.id });
        });
        router.get('/unavailable', () => {
          throw new AppError('DEPENDENCY_UNAVAILABLE', 'the database is down');
        });
        router.get('/unavailable-for-30', () => {
          throw new AppError('DEPENDENCY_UNAVAILABLE', 'the database is down', { retryAfterSeconds: 30 });
        });
        router.put('/things/:id', (req, res) => {
          res.json({ id: req.params.id, replaced: true });
        });
        const nested = Router();
        nested.delete('/items/:id', (_req, res) => {
          res.status(204).end();
        });
        router.use('/nested', nested);
      },
    });
    server = await listen(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server?.close();
  });

  async function send(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
    const response = await fetch(`${base}${path}`, init);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  }

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    send('/echo', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  describe('methods a path does not serve', () => {
    it('answers 405 with Allow naming the methods the path serves (HEAD with GET), not 404', async () => {
      const response = await send('/things/7', { method: 'DELETE' });
      expect(response.status).to.equal(405);
      expect(response.headers.get('allow')).to.equal('GET, HEAD, PUT');
      expect(response.body).to.deep.equal({ success: false, code: 'METHOD_NOT_ALLOWED', message: 'DELETE is not served at /things/7; it serves GET, HEAD, PUT' });
      const post = await send('/echo', { method: 'GET' });
      expect([post.status, post.headers.get('allow')]).to.deep.equal([405, 'POST']);
    });

    it('does the same on routers mounted in the app', async () => {
      const response = await send('/nested/items/1', { method: 'PATCH' });
      expect([response.status, response.headers.get('allow')]).to.deep.equal([405, 'DELETE']);
      expect((await fetch(`${base}/nested/items/1`, { method: 'DELETE' })).status).to.equal(204);
    });

    it('still answers 404 for a path nothing serves, and serves the methods it has', async () => {
      expect((await send('/no-such-path', { method: 'DELETE' })).status).to.equal(404);
      expect((await send('/things/7', { method: 'PUT' })).body).to.deep.equal({ id: '7', replaced: true });
    });

    it('answers OPTIONS with 204 and the same Allow', async () => {
      const response = await fetch(`${base}/things/7`, { method: 'OPTIONS' });
      expect(response.status).to.equal(204);
      expect(response.headers.get('allow')).to.equal('GET, HEAD, PUT');
    });
  });

  describe('client errors raised by Express and body-parser', () => {
    it('answers 400, not 500, for a path parameter that does not percent-decode', async () => {
      const response = await send('/things/%E0%A4%A');
      expect(response.status).to.equal(400);
      expect(response.body).to.deep.equal({ success: false, code: 'MALFORMED_REQUEST', message: 'the request path is not valid percent-encoding' });
    });

    it('answers 400, not 500, for a gzip body that does not inflate', async () => {
      const response = await post('this is not gzip', { 'content-encoding': 'gzip' });
      expect(response.status).to.equal(400);
      expect(response.body.code).to.equal('MALFORMED_REQUEST');
      expect(String(response.body.message)).to.match(/^the request could not be read/).and.not.match(/\bat .*:\d+/);
    });

    it('still reads a valid gzip body', async () => {
      const response = await post(gzipSync('{"price":19.99}'), { 'content-encoding': 'gzip' });
      expect(response.status).to.equal(200);
      expect(response.body.body).to.deep.equal({ price: '19.99' });
    });

    it('keeps 400 for malformed JSON, 413 for too large, 415 for other types and charsets', async () => {
      expect((await post('{"a":')).body).to.deep.equal({ success: false, code: 'MALFORMED_REQUEST', message: 'the request body is not valid JSON' });
      const large = await post(JSON.stringify({ a: 'x'.repeat(2000) }));
      expect([large.status, large.body.code]).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
      const text = await post('{}', { 'content-type': 'text/plain' });
      expect([text.status, text.body.code]).to.deep.equal([415, 'UNSUPPORTED_MEDIA_TYPE']);
      const latin1 = await post('{}', { 'content-type': 'application/json; charset=latin1' });
      expect([latin1.status, latin1.body.message]).to.deep.equal([415, 'unsupported charset "LATIN1"']);
      const encoding = await post('{}', { 'content-encoding': 'foo' });
      expect(encoding.status).to.equal(415);
    });

    it('answers 400 for nesting too deep for the parser', async () => {
      const app = createHttpApp({ metrics: createMetrics('cart-service'), logger: createLogger('silent'), bodyLimit: '1mb', readiness: [], routes: (r) => r.post('/echo', (_req, res) => void res.json({})) });
      const deep = await listen(app, 0, '127.0.0.1');
      try {
        const response = await fetch(`http://127.0.0.1:${deep.port}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '['.repeat(400_000) + ']'.repeat(400_000) });
        expect(response.status).to.equal(400);
        expect(((await response.json()) as { code: string }).code).to.equal('MALFORMED_REQUEST');
      } finally {
        await deep.close();
      }
    });
  });

  describe('JSON bodies', () => {
    it('keeps the decimal text of fractions and reads whole numbers as numbers', async () => {
      const response = await post('{"price":19.999999999999999,"quantity":3,"total":1e2,"small":1.5e-1,"big":12345678901234567890}');
      expect(response.body.body).to.deep.equal({ price: '19.999999999999999', quantity: 3, total: 100, small: '0.15', big: '12345678901234567890' });
    });

    it('accepts any JSON value (strict: false), an empty body as {}, UTF-16 with a charset', async () => {
      expect((await post('"abc"')).body.body).to.equal('abc');
      expect((await post('')).body.body).to.deep.equal({});
      const utf16 = await post(Buffer.from('{"a":1.10}', 'utf16le'), { 'content-type': 'application/json; charset=utf-16le' });
      expect(utf16.body.body).to.deep.equal({ a: '1.10' });
    });
  });

  describe('Retry-After on 503', () => {
    it(`defaults to DEFAULT_RETRY_AFTER_SECONDS (${DEFAULT_RETRY_AFTER_SECONDS}) when the error chose no delay`, async () => {
      const response = await send('/unavailable');
      expect(response.status).to.equal(503);
      expect(response.headers.get('retry-after')).to.equal(String(DEFAULT_RETRY_AFTER_SECONDS));
    });

    it("keeps the error's own delay", async () => {
      expect((await send('/unavailable-for-30')).headers.get('retry-after')).to.equal('30');
    });

    it('is sent by /ready when a dependency is down', async () => {
      const response = await send('/ready');
      expect(response.status).to.equal(503);
      expect(response.headers.get('retry-after')).to.equal(String(DEFAULT_RETRY_AFTER_SECONDS));
    });
  });
});
