/**
 * The one error type of Orderflow. Its kind decides the HTTP status a route answers with,
 * and whether retrying can help — the consumer's retry logic asks `retriable`, nothing else.
 */
export const ERROR_KINDS = {
  VALIDATION_FAILED: { httpStatus: 400, retriable: false },
  MALFORMED_REQUEST: { httpStatus: 400, retriable: false },
  // No API key, or one that is malformed, unknown or revoked; the answer carries WWW-Authenticate: Bearer.
  UNAUTHORIZED: { httpStatus: 401, retriable: false },
  // A valid API key whose role is below the one the operation needs.
  FORBIDDEN: { httpStatus: 403, retriable: false },
  NOT_FOUND: { httpStatus: 404, retriable: false },
  // The path exists but does not serve this method; the answer's Allow header lists those it serves.
  METHOD_NOT_ALLOWED: { httpStatus: 405, retriable: false },
  CONFLICT: { httpStatus: 409, retriable: false },
  ILLEGAL_TRANSITION: { httpStatus: 409, retriable: false },
  // The Idempotency-Key was first used with another request body (or endpoint).
  IDEMPOTENCY_KEY_REUSED: { httpStatus: 422, retriable: false },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retriable: false },
  // The API key sent more requests than its rate limit allows; Retry-After says when to come back.
  RATE_LIMITED: { httpStatus: 429, retriable: true },
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
 * A dependency's failure as an answer for a request that needs it: a retriable one as it is, and
 * any other (an error answer, a malformed reply) as DEPENDENCY_UNAVAILABLE naming `dependency`, so
 * that a request never answers 500 for another part's trouble.
 */
export function asUnavailable(dependency: string, error: unknown): AppError {
  const failure = toAppError(error);
  return failure.retriable ? failure : new AppError('DEPENDENCY_UNAVAILABLE', `${dependency} could not answer: ${failure.message}`, { cause: error });
}

/** Node's network error codes: whatever client raised one, the other side is down, restarting or unreachable. */
const NETWORK_FAILURE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when `error` is a Node network failure (by its code): retrying later can help. */
export function isNetworkFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_FAILURE_CODES.has(code);
}

/** Seconds a client is asked to wait when a dependency is down; the HTTP layer sends it with every 503. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The one normaliser: turns anything thrown into an AppError. The adapters (lib/db, lib/kafka,
 * lib/registry) already translate their own failures at their boundary; what reaches here
 * untranslated is a network failure (DEPENDENCY_UNAVAILABLE, retriable) or a bug (INTERNAL, with
 * its cause).
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isNetworkFailure(error)) return new AppError('DEPENDENCY_UNAVAILABLE', `a dependency is unavailable: ${message}`, { cause: error });
  return new AppError('INTERNAL', message, { cause: error });
}
