/**
 * The one error type of Orderflow. Its kind decides the HTTP status a route answers with,
 * and whether retrying can help — the consumer's retry logic asks `retriable`, nothing else.
 */
export const ERROR_KINDS = {
  VALIDATION_FAILED: { httpStatus: 400, retriable: false },
  MALFORMED_REQUEST: { httpStatus: 400, retriable: false },
  NOT_FOUND: { httpStatus: 404, retriable: false },
  CONFLICT: { httpStatus: 409, retriable: false },
  ILLEGAL_TRANSITION: { httpStatus: 409, retriable: false },
  // The Idempotency-Key was first used with another request body (or endpoint).
  IDEMPOTENCY_KEY_REUSED: { httpStatus: 422, retriable: false },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, retriable: false },
  DEPENDENCY_UNAVAILABLE: { httpStatus: 503, retriable: true },
  POISON_MESSAGE: { httpStatus: 422, retriable: false },
  INTERNAL: { httpStatus: 500, retriable: false },
  // The database connection broke during COMMIT and the database could not be asked since
  // whether the transaction committed; repeating the request with its Idempotency-Key tells.
  COMMIT_OUTCOME_UNKNOWN: { httpStatus: 504, retriable: false },
} as const satisfies Record<string, { httpStatus: number; retriable: boolean }>;

export type ErrorCode = keyof typeof ERROR_KINDS;

/** One broken field of a request: where it is and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly httpStatus: number;
  readonly retriable: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    // reason: a machine-readable sub-kind, e.g. why a message is poison ('UNKNOWN_SCHEMA_ID'),
    // for dead-letter headers and bounded metric labels.
    readonly details: { fieldErrors?: FieldError[]; cause?: unknown; retryAfterSeconds?: number; reason?: string } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'AppError';
    this.httpStatus = ERROR_KINDS[code].httpStatus;
    this.retriable = ERROR_KINDS[code].retriable;
  }

  get fieldErrors(): FieldError[] {
    return this.details.fieldErrors ?? [];
  }
}

/**
 * PostgreSQL SQLSTATE classes and codes that say "try again later": the connection broke (08),
 * the server is shutting down, starting or cancelled the statement (57), it is out of
 * resources (53), the transaction lost a race (40001 serialisation, 40P01 deadlock), a lock
 * was not granted in time (55P03), or the server is a read-only standby after a failover (25006).
 */
const TRANSIENT_SQLSTATE = [/^08/, /^57/, /^53/, /^40001$/, /^40P01$/, /^55P03$/, /^25006$/];

/** Node network error codes of a database, broker or registry that is down or restarting. */
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Messages of pg / knex errors that carry no code but mean the connection is gone. */
const TRANSIENT_MESSAGES = [/Connection terminated/i, /Knex: Timeout acquiring a connection/i, /connection is closed/i, /Client has encountered a connection error/i];

/** kafkajs errors that are not flagged retriable, yet only say the broker did not answer in time. */
const TRANSIENT_KAFKAJS_NAMES = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSConnectionError', 'KafkaJSRequestTimeoutError']);

/** Seconds a client is asked to wait when a dependency is down; the HTTP layer sends it with every 503. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** True when `error` says a dependency (database, broker, registry) is unavailable for now, so retrying can help. */
export function isTransientFailure(error: unknown): boolean {
  const candidate = error as { code?: unknown; retriable?: unknown; name?: unknown; message?: unknown } | null;
  const code = typeof candidate?.code === 'string' ? candidate.code : '';
  const name = typeof candidate?.name === 'string' ? candidate.name : '';
  const message = typeof candidate?.message === 'string' ? candidate.message : String(error);
  return (
    TRANSIENT_SQLSTATE.some((pattern) => pattern.test(code)) ||
    TRANSIENT_NODE_CODES.has(code) ||
    TRANSIENT_MESSAGES.some((pattern) => pattern.test(message)) ||
    name === 'KnexTimeoutError' ||
    TRANSIENT_KAFKAJS_NAMES.has(name) ||
    // Other kafkajs errors say themselves whether a retry can help.
    (name.startsWith('KafkaJS') && candidate?.retriable === true)
  );
}

/**
 * The one normaliser: turns anything thrown into an AppError. A failure of a dependency
 * becomes DEPENDENCY_UNAVAILABLE (retriable, 503 with Retry-After); anything else unknown is
 * INTERNAL (a bug) and keeps its cause.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isTransientFailure(error)) {
    return new AppError('DEPENDENCY_UNAVAILABLE', `a dependency is unavailable: ${withoutStatement(error, message)}`, { cause: error });
  }
  return new AppError('INTERNAL', message, { cause: error });
}

/**
 * knex prefixes a database error's message with the failed statement, bindings filled in
 * (`insert into ... values ('ORDER-1', ...) - deadlock detected`); an answer names the database's
 * own words only, never the statement or its values.
 */
function withoutStatement(error: unknown, message: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  const separator = message.lastIndexOf(' - ');
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && separator >= 0 ? message.slice(separator + 3) : message;
}
