/**
 * RFC 3339 date-time (upper-case T and Z, an offset required) or a plain calendar date.
 * Fractions of a second may have 1 to 9 digits; a Date keeps milliseconds, the rest is dropped.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2})))?$/;

const MINUTE_MS = 60_000;

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
