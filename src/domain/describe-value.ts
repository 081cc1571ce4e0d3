/** Longest slice of a client's string echoed back in an error message; keeps messages and logs small. */
const MAX_ECHO_CHARS = 40;

/**
 * Renders an offending input for an error message ("got ..."), so the client sees what it sent.
 * Strings are quoted (an empty or blank string stays visible), long ones are cut.
 * Internal to the domain: not part of its public face.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > MAX_ECHO_CHARS ? `${value.slice(0, MAX_ECHO_CHARS)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}
