import express, { type ErrorRequestHandler, type Express } from 'express';
import { toAppError } from '../../src/errors';
import { errorEnvelope, listen } from '../../src/lib/http';

/** Environment variable carrying the port of a bench server (the bench picks a free one). */
export const BENCH_SERVER_PORT = 'BENCH_SERVER_PORT';

/** The port in BENCH_SERVER_PORT; exits with a message when it is missing or not a port. */
export function benchServerPort(): number {
  const port = Number(process.env[BENCH_SERVER_PORT]);
  if (Number.isInteger(port) && port > 0 && port < 65_536) return port;
  console.error(`${BENCH_SERVER_PORT} must be a port number, got '${String(process.env[BENCH_SERVER_PORT])}'`);
  process.exit(1);
}

/**
 * An Express 5 app set up as the services' app is in what costs time per request (neither an
 * X-Powered-By header nor an ETag), with GET /health for the bench to poll.
 */
export function createBenchApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/health', (_req, res) => {
    res.json({ success: true, message: 'alive' });
  });
  return app;
}

/** Answers an error as the services do: the AppError's status and envelope, never a stack trace. */
export const answerErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const appError = toAppError(error);
  res.status(appError.httpStatus).json(errorEnvelope(appError));
};

/**
 * Serves `app` on 127.0.0.1:`port` until SIGTERM or SIGINT, then stops like the services do:
 * no new connections, in-flight requests finished, `onStop` (e.g. a producer flush), exit 0.
 */
export async function serveUntilSignalled(app: Express, port: number, onStop: () => Promise<void> = () => Promise.resolve()): Promise<void> {
  const server = await listen(app, port, '127.0.0.1');
  const stop = () => {
    server
      .close()
      .then(onStop)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
