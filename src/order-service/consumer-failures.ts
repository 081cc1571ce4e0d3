import { AppError } from '../errors';

/**
 * PostgreSQL SQLSTATE classes and codes that say "try again later": the connection broke
 * (08), the server is shutting down or starting (57P), it is out of resources (53), or the
 * transaction lost a race (40001 serialisation, 40P01 deadlock).
 */
const TRANSIENT_SQLSTATE = [/^08/, /^57P/, /^53/, /^40001$/, /^40P01$/];

/** Node/pg network error codes of a database or broker that is down or restarting. */
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Messages of pg / knex errors that carry no code but mean the connection is gone. */
const TRANSIENT_MESSAGES = [/Connection terminated/i, /Knex: Timeout acquiring a connection/i, /connection is closed/i, /Client has encountered a connection error/i];

/**
 * Normalises a failure of batch processing into an AppError whose `retriable` decides what the
 * consumer does: retriable -> back off and retry the same batch (never skip, never commit);
 * anything else -> isolate the offending message and dead-letter it.
 */
export function classifyFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const candidate = error as { code?: unknown; retriable?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof candidate?.code === 'string' ? candidate.code : '';
  const message = typeof candidate?.message === 'string' ? candidate.message : String(error);
  const transient =
    TRANSIENT_SQLSTATE.some((pattern) => pattern.test(code)) ||
    TRANSIENT_NODE_CODES.has(code) ||
    TRANSIENT_MESSAGES.some((pattern) => pattern.test(message)) ||
    candidate?.name === 'KnexTimeoutError' ||
    // kafkajs errors say themselves whether a retry can help.
    (typeof candidate?.name === 'string' && candidate.name.startsWith('KafkaJS') && candidate.retriable === true);
  if (transient) return new AppError('DEPENDENCY_UNAVAILABLE', `a dependency is unavailable: ${message}`, { cause: error });
  return new AppError('INTERNAL', message, { cause: error });
}

/** Exponential backoff with jitter, capped: attempt 0 waits about `initialMs`. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: { initialMs: number; maxMs: number }, random: () => number = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.8 + random() * 0.4));
}
