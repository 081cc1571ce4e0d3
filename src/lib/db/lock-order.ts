/**
 * The one order in which transactions lock rows by text key: two transactions that lock the same
 * keys in the same order wait for each other instead of deadlocking. Compares UTF-16 code units,
 * so it does not depend on the process's locale.
 */
export function inLockOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
