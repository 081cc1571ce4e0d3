/**
 * Query parameters of the order service's read APIs (the main one and the seed dialects), parsed
 * with zod; a failure is a 400 naming every bad parameter and its value.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { ORDER_STATUSES, parseStatus } from '../domain';
import { AppError, type FieldError } from '../errors';

/** A Kafka topic name; the character class already excludes control characters and surrogates. */
export const topicSchema = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a Kafka topic name (letters, digits, ".", "_", "-"; at most 249)');

/** A whole number from 1 to `max`, written in the query string. */
export const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`));

/** A status filter in any accepted spelling, read to its canonical form. */
export const statusFilter = z
  .string()
  .transform((value, context) => {
    const status = parseStatus(value);
    if (status === undefined) {
      context.addIssue({ code: 'custom', message: `must be one of ${ORDER_STATUSES.join(', ')}, got '${value}'` });
      return z.NEVER;
    }
    return status;
  })
  .optional();

/** Parses request parameters; a failure is a 400 naming every bad parameter and its value. */
export function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || 'query';
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return { field, message: `${field} ${message}` };
  });
  throw new AppError('VALIDATION_FAILED', errors.map((error) => error.message).join('; '), { fieldErrors: errors });
}

export function query(req: Request): Record<string, unknown> {
  return req.query as Record<string, unknown>;
}
