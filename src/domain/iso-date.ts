/**
 * RFC 3339 date-time (upper-case T and Z, an offset required) or a plain calendar date.
 * Fractions of a second may have 1 to 9 digits; a Date keeps milliseconds, the rest is dropped.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2})))?$/;

const MINUTE_MS = 60_000;

const LEAP_YEAR = '(?:[0-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)';
const DAY_31 = '(?:0[1-9]|[12][0-9]|3[01])';
const DAY_30 = '(?:0[1-9]|[12][0-9]|30)';
const DAY_28 = '(?:0[1-9]|1[0-9]|2[0-8])';
/** Month and day of any year (February 29th apart). */
const MONTH_DAY = `(?:(?:0[13578]|1[02])-${DAY_31}|(?:0[469]|11)-${DAY_30}|02-${DAY_28})`;
/** Month and day after January 1st, and before December 31st (February 29th apart). */
const AFTER_NEW_YEAR = `(?:01-(?:0[2-9]|[12][0-9]|3[01])|(?:0[3578]|1[02])-${DAY_31}|(?:0[469]|11)-${DAY_30}|02-${DAY_28})`;
const BEFORE_NEW_YEAR = `(?:(?:0[13578]|10)-${DAY_31}|12-(?:0[1-9]|[12][0-9]|30)|(?:0[469]|11)-${DAY_30}|02-${DAY_28})`;
const TIME = 'T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?';
const OFFSET_HOURS_MINUTES = '(?:[01][0-9]|2[0-3]):[0-5][0-9]';
const ZERO_OFFSET = '(?:Z|[+-]00:00)';

/**
 * What {@link parseIsoDateTime} accepts, as a JSON Schema pattern (ECMA-262; digits written
 * [0-9], since \d means any Unicode digit to some engines), so an OpenAPI document states the
 * rule exactly: the calendar (month lengths, leap years) and the years 0001-9999. One simplification at the ends, where the pattern cannot add an
 * offset to a time: on 0001-01-01 a time may only carry an offset that cannot move it before the
 * year 0001 (Z, +00:00 or one west of UTC), on 9999-12-31 only one that cannot move it past 9999,
 * and no time on 0000-12-31 is accepted; the parser judges the instant itself.
 */
export const ISO_DATE_TIME_PATTERN = [
  '^(?:',
  // A calendar date, any year.
  `(?:(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9][0-9]|[1-9][0-9]{3})-${MONTH_DAY}|${LEAP_YEAR}-02-29)`,
  // A date-time whose offset cannot leave the years 0001-9999.
  `|(?:(?:000[2-9]|00[1-9][0-9]|0[1-9][0-9][0-9]|[1-8][0-9]{3}|9[0-8][0-9][0-9]|99[0-8][0-9]|999[0-8])-${MONTH_DAY}|${LEAP_YEAR}-02-29|0001-${AFTER_NEW_YEAR}|9999-${BEFORE_NEW_YEAR})${TIME}(?:Z|[+-]${OFFSET_HOURS_MINUTES})`,
  // The first and the last day, with the offsets that keep them inside.
  `|0001-01-01${TIME}(?:${ZERO_OFFSET}|-${OFFSET_HOURS_MINUTES})`,
  `|9999-12-31${TIME}(?:${ZERO_OFFSET}|\\+${OFFSET_HOURS_MINUTES})`,
  ')$',
].join('');

/**
 * The years an instant may fall in, in UTC: what ISO 8601 writes with four digits, what both
 * services read back with this same function, and what PostgreSQL stores. Checked on the UTC
 * instant, not the local date: 9999-12-31T23:30:00-01:00 is already in year 10000.
 */
const FIRST_YEAR = 1;
const LAST_YEAR = 9999;

/**
 * Parses a strict ISO 8601 / RFC 3339 date-time (`2024-05-01T12:30:00Z`,
 * `2024-05-01T12:30:00.123+02:00`) or a calendar date (`2024-05-01`, meaning midnight UTC).
 * The date and time must exist: 2023-02-29, 2024-13-01, 2024-04-31 and 24:00:00 are refused,
 * 2024-02-29 is accepted. The instant must fall in the years 0001-9999 in UTC. Returns
 * undefined for anything else, including non-strings.
 */
export function parseIsoDateTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = ISO_DATE_TIME.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', sign, offsetHour, offsetMinute] = match;
  const parts = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
  };
  const millisecond = Number(fraction.padEnd(3, '0').slice(0, 3));

  // Built field by field, not with new Date(string): Date silently rolls 2023-02-29 over to
  // March 1st, so only a round trip of every component proves the date is on the calendar.
  // setUTCFullYear also keeps years 0-99 literal, where Date.UTC would read them as 19xx.
  const wallClock = new Date(0);
  wallClock.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  wallClock.setUTCHours(parts.hour, parts.minute, parts.second, millisecond);
  const roundTrips =
    wallClock.getUTCFullYear() === parts.year &&
    wallClock.getUTCMonth() === parts.month - 1 &&
    wallClock.getUTCDate() === parts.day &&
    wallClock.getUTCHours() === parts.hour &&
    wallClock.getUTCMinutes() === parts.minute &&
    wallClock.getUTCSeconds() === parts.second;
  if (!roundTrips) return undefined;

  let instant = wallClock;
  if (sign !== undefined) {
    const offsetH = Number(offsetHour);
    const offsetM = Number(offsetMinute);
    if (offsetH > 23 || offsetM > 59) return undefined;
    const offsetMinutes = (sign === '-' ? -1 : 1) * (offsetH * 60 + offsetM);
    instant = new Date(wallClock.getTime() - offsetMinutes * MINUTE_MS);
  }
  const utcYear = instant.getUTCFullYear();
  return utcYear >= FIRST_YEAR && utcYear <= LAST_YEAR ? instant : undefined;
}
