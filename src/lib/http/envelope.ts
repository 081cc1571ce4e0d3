import type { AppError, FieldError } from '../../errors';

/** The body of every successful answer of both services. */
export interface SuccessEnvelope<T> {
  success: true;
  message: string;
  data: T;
}

/** The body of every error answer: a code a program can switch on, a message a person can read. */
export interface ErrorEnvelope {
  success: false;
  code: string;
  message: string;
  errors?: FieldError[];
}

export function success<T>(message: string, data: T): SuccessEnvelope<T> {
  return { success: true, message, data };
}

/** The error body for `error`; a bug's own message may reveal internals, so it is replaced by a generic one (the log keeps it). */
export function errorEnvelope(error: AppError): ErrorEnvelope {
  return {
    success: false,
    code: error.code,
    message: error.code === 'INTERNAL' ? 'internal error' : error.message,
    ...(error.fieldErrors.length > 0 ? { errors: error.fieldErrors } : {}),
  };
}
