import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { AppError, DEFAULT_RETRY_AFTER_SECONDS } from '../../errors';
import type { Logger } from '../../logger';
import type { Metrics } from '../metrics';
import { errorEnvelope } from './envelope';
import { toHttpAppError } from './error-mapping';
import { jsonBody } from './json-body';
import { answerOtherMethodsWith405, type RoutingTable } from './method-not-allowed';

/** A dependency `/ready` checks; `check` rejects when it is unreachable. */
export interface ReadinessCheck {
  name: 'kafka' | 'registry' | 'database';
  check(): Promise<void>;
}

export interface HttpAppOptions {
  metrics: Metrics;
  logger: Logger;
  bodyLimit: string;
  readiness: ReadinessCheck[];
  /** Facts /ready reports beside the checks, such as this instance's role (they do not decide readiness). */
  readinessFacts?: () => Record<string, string>;
  /**
   * Runs before everything but the duration histogram (before any body is read): the API-key
   * guard, which decides itself which paths it leaves open (/health, /ready, /metrics, /docs).
   */
  guard?: RequestHandler;
  /** Mounts the service's own routes. */
  routes(app: Express): void;
}

const READY_CHECK_TIMEOUT_MS = 2_000;

/**
 * An Express app with what both services share: JSON-only bodies (415 otherwise, 413 when
 * too large, 400 when malformed; numbers keep their decimal text, see `readJsonNumber`), the
 * request duration histogram, /health, /ready, /metrics, a 404 for unknown routes and one
 * error handler that answers with the envelope and never leaks a stack trace.
 */
export function createHttpApp({ metrics, logger, bodyLimit, readiness, readinessFacts, guard, routes }: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(recordDuration(metrics));
  if (guard) app.use(guard);
  app.use(requireJsonBody);
  // Not express.json: it reads numbers as doubles, so 19.999999999999999 would arrive as 20.
  app.use(jsonBody(bodyLimit));

  app.get('/health', (_req, res) => {
    res.json({ success: true, message: 'alive', data: { status: 'ok' } });
  });
  app.get('/ready', async (_req, res) => {
    const results = await Promise.all(readiness.map(async ({ name, check }) => [name, await probe(check)] as const));
    const failing = results.filter(([, state]) => state !== 'up').map(([name]) => name);
    const data = { ...Object.fromEntries(results), ...readinessFacts?.() };
    if (failing.length === 0) res.json({ success: true, message: 'ready', data });
    else res.status(503).set('Retry-After', String(DEFAULT_RETRY_AFTER_SECONDS)).json({ success: false, code: 'DEPENDENCY_UNAVAILABLE', message: `not ready: ${failing.join(', ')} unreachable`, data });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  routes(app);
  // Express's types leave out its router's layers; method-not-allowed reads only those it declares.
  answerOtherMethodsWith405(app.router as unknown as RoutingTable);

  app.use((req, _res, next) => next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));
  return app;
}

async function probe(check: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_CHECK_TIMEOUT_MS} ms`)), READY_CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'up';
  } catch (error) {
    return `down: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

function recordDuration(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpRequestDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // The route template keeps the label bounded; unmatched paths share one value.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ route, status_code: String(res.statusCode) });
    });
    next();
  };
}

const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    next(new AppError('UNSUPPORTED_MEDIA_TYPE', `expected Content-Type application/json, got '${req.headers['content-type'] ?? 'none'}'`));
    return;
  }
  next();
};

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const appError = toHttpAppError(error);
    if (appError.code === 'INTERNAL') logger.error({ err: error, method: req.method, path: req.path }, 'request failed with a bug');
    else logger.debug({ code: appError.code, method: req.method, path: req.path }, appError.message);
    // Every 503 says when to come back, whether or not the error chose the delay itself.
    const retryAfter = appError.details.retryAfterSeconds ?? (appError.code === 'DEPENDENCY_UNAVAILABLE' ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
    if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
    res.status(appError.httpStatus).json(errorEnvelope(appError));
  };
}
