/**
 * Query parameters of the order service's read APIs (the main one and the seed dialects) beyond
 * the shared ones of lib/http: topics, statuses and minute windows.
 */
import { z } from 'zod';
import { ORDER_STATUSES, parseIsoDateTime, parseStatus } from '../domain';
import { AppError } from '../errors';
import { TOPIC_NAME } from '../lib/kafka';
import { parse } from '../lib/http';

/** A Kafka topic name; the character class already excludes control characters and surrogates. */
export const topicSchema = z.string().regex(new RegExp(`^${TOPIC_NAME}$`), 'must be a Kafka topic name (letters, digits, ".", "_", "-"; at most 249)');

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

/** Milliseconds in a minute, the unit of orders-per-minute. */
export const MS_PER_MINUTE = 60_000;
/** The window orders-per-minute covers when the query names none. */
const DEFAULT_WINDOW_MINUTES = 60;
/** The widest window orders-per-minute answers (one day of minutes). */
const MAX_WINDOW_MINUTES = 24 * 60;

/** An ISO 8601 date-time query parameter, as an instant. */
const instant = z.string().transform((value, context) => {
  const date = parseIsoDateTime(value);
  if (date === undefined) {
    context.addIssue({ code: 'custom', message: `must be an ISO 8601 date-time like 2026-12-01T10:00:00Z, got '${value}'` });
    return z.NEVER;
  }
  return date;
});

const minuteWindowSchema = z.object({ from: instant.optional(), to: instant.optional() });

const floorToMinute = (instant: Date) => new Date(Math.floor(instant.getTime() / MS_PER_MINUTE) * MS_PER_MINUTE);
const ceilToMinute = (instant: Date) => new Date(Math.ceil(instant.getTime() / MS_PER_MINUTE) * MS_PER_MINUTE);

/**
 * The window asked for, checked (`from` before `to`, at most a day apart), then widened to whole
 * minutes: `from` rounded down, `to` rounded up, so every minute the window touches is listed (a
 * day not on minute boundaries touches 1441). Without `from`, the hour up to `to`'s minute; without
 * `to`, up to the end of the current minute.
 */
export function minuteWindow(rawQuery: Record<string, unknown>, now: Date): { from: Date; to: Date } {
  const asked = parse(minuteWindowSchema, rawQuery);
  const askedTo = asked.to ?? now;
  const to = ceilToMinute(askedTo);
  const askedFrom = asked.from ?? new Date(to.getTime() - DEFAULT_WINDOW_MINUTES * MS_PER_MINUTE);
  const span = askedTo.getTime() - askedFrom.getTime();
  if (span <= 0 || span > MAX_WINDOW_MINUTES * MS_PER_MINUTE) {
    throw new AppError('VALIDATION_FAILED', `from must be before to, at most ${MAX_WINDOW_MINUTES} minutes apart (got ${askedFrom.toISOString()} to ${askedTo.toISOString()})`, {
      fieldErrors: [{ field: 'from', message: `from must be before to, at most ${MAX_WINDOW_MINUTES} minutes apart` }],
    });
  }
  return { from: floorToMinute(askedFrom), to };
}
