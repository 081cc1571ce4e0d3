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
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, retriable: false },
  DEPENDENCY_UNAVAILABLE: { httpStatus: 503, retriable: true },
  POISON_MESSAGE: { httpStatus: 422, retriable: false },
  INTERNAL: { httpStatus: 500, retriable: false },
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

/** Turns anything thrown into an AppError; unknown errors become INTERNAL and keep their cause. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('INTERNAL', message, { cause: error });
}
