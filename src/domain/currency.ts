import { codes } from 'currency-codes';

/**
 * Corrections to the currency-codes table (ISO 4217 list one as published 2024-06-25).
 * Amendment 176, effective 2025-03-31: the Caribbean guilder XCG replaced the Netherlands
 * Antillean guilder ANG, which moved to the list of historic codes.
 */
const ADDED_SINCE_TABLE = ['XCG'];
const WITHDRAWN_SINCE_TABLE = ['ANG'];

/**
 * Codes that ISO 4217 lists but that nothing can be priced in: XTS is reserved for testing,
 * XXX means "no currency".
 */
const NOT_A_PRICE_CURRENCY = ['XTS', 'XXX'];

const EXCLUDED = new Set([...WITHDRAWN_SINCE_TABLE, ...NOT_A_PRICE_CURRENCY]);

/** Active ISO 4217 alphabetic codes an order can be priced in (upper case). */
export const ISO_4217_CURRENCIES: ReadonlySet<string> = new Set(
  [...codes(), ...ADDED_SINCE_TABLE].filter((code) => !EXCLUDED.has(code)),
);

/**
 * True only for an active ISO 4217 alphabetic code written exactly, in upper case ("USD", "JPY";
 * not "usd", not "ABC"). Funds and precious-metal codes of list one count as real codes.
 *
 * Every currency carries 2 decimal places in Orderflow, whatever its ISO minor unit: JPY
 * amounts are written "1500.00". Keeping one scale keeps the Avro `decimal(12,2)` schema single.
 */
export function isIso4217Currency(code: unknown): code is string {
  return typeof code === 'string' && ISO_4217_CURRENCIES.has(code);
}
