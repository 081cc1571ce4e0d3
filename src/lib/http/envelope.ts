import type { FieldError } from '../../errors';

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
