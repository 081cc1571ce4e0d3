import { expect } from 'chai';
import express, { type ErrorRequestHandler } from 'express';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { AppError } from '../../../src/errors';
import { accessGuard, accessPolicy, createKeyRing, createRateLimit, createRefusedKeyLimit, type KeyStore } from '../../../src/lib/access';

/** A key store whose database is away: every read fails. */
const unreachableStore: KeyStore = {
  insert: () => Promise.reject(new Error('database down')),
  active: () => Promise.reject(new Error('database down')),
  list: () => Promise.reject(new Error('database down')),
  revoke: () => Promise.reject(new Error('database down')),
};

describe('the access guard while the keys cannot be read (lib/access)', () => {
  it('refuses every protected request with 503, lets open ones through, and never lets a key in unread', async () => {
    const ring = createKeyRing({ store: unreachableStore, refreshIntervalMs: 60_000, logger: pino({ level: 'silent' }) });
    await ring.start();
    ring.stop();
    const app = express();
    app.use(accessGuard({ ring, rateLimit: createRateLimit({ perSecond: 0, burst: 0 }), refusedKeys: createRefusedKeyLimit(0), policy: accessPolicy([]) }));
    app.get(['/health', '/api/orders'], (_req, res) => {
      res.json({ served: true });
    });
    const answerError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
      res.status(error instanceof AppError ? error.httpStatus : 500).json({ code: error instanceof AppError ? error.code : 'INTERNAL' });
    };
    app.use(answerError);
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    try {
      expect(ring.mode()).to.equal('unknown');
      const refused = await fetch(`http://127.0.0.1:${port}/api/orders`, { headers: { authorization: 'Bearer of_0123456789abcdef_x' } });
      expect(refused.status).to.equal(503);
      expect(await refused.json()).to.deep.equal({ code: 'DEPENDENCY_UNAVAILABLE' });
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).to.equal(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
