import pg from 'pg';

/**
 * PostgreSQL array literals for `unnest(?::type[])` parameters, built as one string per column.
 * Handing pg a JS array makes it walk every element (escaping, preparing, formatting each Date)
 * and knex scan it for undefined: for batches of thousands of rows that cost more than the
 * database's own work.
 */

/** pg's own formatting of a parameter, for the rare value the fast paths below do not cover. */
const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): string } }).utils.prepareValue;

/** A text array literal: every element quoted (`"`, `\` escaped), null as NULL. */
export function textArray(values: ReadonlyArray<string | null>): string {
  let literal = '{';
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (index > 0) literal += ',';
    if (value === null || value === undefined) literal += 'NULL';
    else if (value.includes('"') || value.includes('\\')) literal += `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    else literal += `"${value}"`;
  }
  return `${literal}}`;
}

/** An array element that means itself unquoted (not empty, and not the word NULL). */
const UNQUOTED_ELEMENT = /^(?!null$)[0-9A-Za-z_.:+-]+$/i;

/**
 * An array literal of values that never need quoting: finite numbers, and strings of digits,
 * letters, `_`, `.`, `:`, `+` and `-` only (UUIDs, decimal amounts, offsets, fixed vocabularies
 * such as statuses). Anything else would change the literal's meaning, so it is refused.
 */
export function unquotedArray(values: ReadonlyArray<string | number>): string {
  for (const value of values) {
    if (typeof value === 'string' ? !UNQUOTED_ELEMENT.test(value) : !Number.isFinite(value)) throw new TypeError(`unquotedArray was given a value that needs quoting: ${String(value).slice(0, 80)}`);
  }
  return `{${values.join(',')}}`;
}

/** A bytea array literal: each value in hex input format, which never needs escaping beyond its backslash. */
export function byteaArray(values: readonly Buffer[]): string {
  return `{${values.map((value) => `"\\\\x${value.toString('hex')}"`).join(',')}}`;
}

/** A timestamptz array literal: ISO 8601 in UTC for years 1-9999 (each distinct instant formatted once), pg's own format otherwise. */
export function timestampArray(dates: readonly Date[]): string {
  let lastTime = Number.NaN;
  let lastText = '';
  const texts = dates.map((date) => {
    const time = date.getTime();
    if (time !== lastTime) {
      const year = date.getUTCFullYear();
      // pg's own format may hold a space (' BC'): quoted, as an array element.
      lastText = year >= 1 && year <= 9999 ? date.toISOString() : `"${prepareValue(date)}"`;
      lastTime = time;
    }
    return lastText;
  });
  return `{${texts.join(',')}}`;
}
