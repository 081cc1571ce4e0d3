/**
 * Request parameters (query string and path) of the services' read APIs, parsed with zod; a
 * failure is a 400 naming every bad parameter and its value.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { AppError, type FieldError } from '../../errors';

/** A whole number from 1 to `max`, written in the query string. */
export const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`));

/** `page` (from 1) and `pageSize` (from 1 to `maxPageSize`, `defaultPageSize` when absent) of a paged list. */
export function pagingFields(defaultPageSize: number, maxPageSize: number) {
  return { page: positiveInt(1_000_000).default(1), pageSize: positiveInt(maxPageSize).default(defaultPageSize) };
}

/** Parses request parameters (or a small body: `whole` names it); a failure is a 400 naming every bad parameter and its value. */
export function parse<T>(schema: z.ZodType<T>, input: unknown, whole = 'query'): T {
  // With the input in each issue, a missing value (is required) is told apart from a wrong one.
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || whole;
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return { field, message: `${field} ${message}` };
  });
  throw new AppError('VALIDATION_FAILED', errors.map((error) => error.message).join('; '), { fieldErrors: errors });
}

export function query(req: Request): Record<string, unknown> {
  return req.query as Record<string, unknown>;
}
