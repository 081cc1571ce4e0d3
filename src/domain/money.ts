import { Decimal } from 'decimal.js';
import { AppError, type FieldError } from '../errors';
import { describeValue } from './describe-value';
import { ExactDecimal, toPlain } from './exact-decimal';

/** Fraction digits of every money amount, in every currency (Avro `decimal(12,2)`). */
export const MONEY_SCALE = 2;

/** Integer digits a money amount may have: Avro `decimal(12,2)` leaves 12 - 2 = 10. */
export const MONEY_MAX_INTEGER_DIGITS = 10;

/** Smallest amount with too many integer digits (10^10). */
const MONEY_LIMIT = new Decimal(10).pow(MONEY_MAX_INTEGER_DIGITS);

/** JSON's number grammar without exponent: money strings are written out plainly ("59.97"). */
const MONEY_STRING = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/**
 * The strings `checkMoney(value, { positive: true })` accepts, as a JSON Schema pattern: above
 * zero, at most 10 integer digits, at most 2 decimal places once trailing zeros are dropped.
 */
export const POSITIVE_MONEY_PATTERN = `^(?:[1-9][0-9]{0,${MONEY_MAX_INTEGER_DIGITS - 1}}(?:\\.[0-9]{1,2}0*)?|0\\.(?:[1-9][0-9]?|0[1-9])0*)$`;

/**
 * The JSON numbers `checkMoney(value, { positive: true })` accepts, as a JSON Schema. Their
 * 2-decimal rule is stated in words: `multipleOf: 0.01` would be checked in binary floating point
 * by common validators, which then refuse amounts like 19.99.
 */
export const POSITIVE_MONEY_NUMBER = {
  type: 'number',
  exclusiveMinimum: 0,
  exclusiveMaximum: 10 ** MONEY_MAX_INTEGER_DIGITS,
  description: 'At most 2 decimals, as written in the JSON text.',
} as const;

/** Options of {@link parseMoney}. */
export interface ParseMoneyOptions {
  /** Reject zero and negative amounts (prices and totals). Default: any sign is accepted. */
  positive?: boolean;
}

/** Outcome of {@link parseMoney}: the amount, or the error naming the field and the value. */
export type MoneyParseResult = { ok: true; value: Decimal } | { ok: false; error: FieldError };

/** Outcome of {@link checkMoney}: the amount, or what is wrong with it (without the field name). */
export type MoneyCheck = { ok: true; value: Decimal } | { ok: false; problem: string };

/**
 * Reads a money amount from JSON input. Internal core of {@link parseMoney}, shared with the
 * request schemas, which add the field path themselves.
 */
export function checkMoney(value: unknown, options: ParseMoneyOptions = {}): MoneyCheck {
  const fail = (problem: string): MoneyCheck => ({ ok: false, problem });
  let text: string;
  if (value === undefined) return fail('is required');
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(`must be a finite amount, got ${describeValue(value)}`);
    // String(n) is the shortest decimal that round-trips to n: 19.99 reads as "19.99", never
    // as the binary float 19.989999999999998436805981327779591083526611328125.
    text = String(value);
  } else if (typeof value === 'string') {
    if (!MONEY_STRING.test(value)) return fail(`must be a decimal amount like "59.97", got ${describeValue(value)}`);
    text = value;
  } else {
    return fail(`must be a decimal amount (a number or a string like "59.97"), got ${describeValue(value)}`);
  }
  const amount = new Decimal(text);
  if (amount.decimalPlaces() > MONEY_SCALE) {
    return fail(`must have at most ${MONEY_SCALE} decimal places, got ${describeValue(value)}`);
  }
  if (amount.abs().gte(MONEY_LIMIT)) {
    return fail(`must have at most ${MONEY_MAX_INTEGER_DIGITS} integer digits, got ${describeValue(value)}`);
  }
  if (options.positive === true && !amount.gt(0)) return fail(`must be greater than 0, got ${describeValue(value)}`);
  // -0 and 0 are the same amount; keep one of them so formatting and equality never differ.
  return { ok: true, value: amount.isZero() ? new Decimal(0) : amount };
}

/**
 * Reads a money amount from JSON input: a JSON number or a decimal string, at most 2 decimal
 * places (trailing zeros do not count: "1.500" is 1.50), at most 10 integer digits, and
 * greater than zero when `options.positive` is set. Never uses float arithmetic.
 *
 * @param value - the raw input value
 * @param field - the field path used in the error ("items[1].price")
 * @example parseMoney(19.99, 'price') // { ok: true, value: Decimal('19.99') }
 */
export function parseMoney(value: unknown, field: string, options: ParseMoneyOptions = {}): MoneyParseResult {
  const checked = checkMoney(value, options);
  if (checked.ok) return checked;
  return { ok: false, error: { field, message: `${field} ${checked.problem}` } };
}

/** Throws when `d` is not an amount of money (non-finite or finer than cents): a bug, not bad input. */
function assertScale(d: Decimal, action: string): void {
  if (!d.isFinite() || d.decimalPlaces() > MONEY_SCALE) {
    throw new AppError('INTERNAL', `cannot ${action} ${d.toString()}: money has at most ${MONEY_SCALE} decimal places`);
  }
}

/**
 * Formats money for JSON/HTTP as a string with exactly 2 fraction digits ("59.97", "0.20").
 * Throws AppError INTERNAL for a value with more than 2 decimals rather than rounding silently.
 */
export function formatMoney(d: Decimal): string {
  assertScale(d, 'format');
  return d.toFixed(MONEY_SCALE);
}

/** Price and quantity of one order line, as summed by {@link sumLineItems}. */
export interface PricedQuantity {
  price: Decimal;
  quantity: number;
}

/** Exact sum of `price x quantity` over the items; zero for no items. */
export function sumLineItems(items: readonly PricedQuantity[]): Decimal {
  const total = items.reduce((sum, item) => sum.plus(new ExactDecimal(item.price).times(item.quantity)), new ExactDecimal(0));
  return toPlain(total);
}

/**
 * Converts an amount to integer minor units (cents): 59.97 -> 5997n. Exact for any size.
 * Throws AppError INTERNAL for a value with more than 2 decimals.
 */
export function toMinorUnits(d: Decimal): bigint {
  assertScale(d, 'convert to minor units');
  // toFixed(2) of a value with at most 2 decimals is exact; dropping the point multiplies by 100
  // without going through the precision-bound multiply.
  return BigInt(d.toFixed(MONEY_SCALE).replace('.', ''));
}

/** Converts integer minor units (cents) to an amount: 5997n -> 59.97. Exact for any size. */
export function fromMinorUnits(n: bigint): Decimal {
  // Parsing scientific notation shifts the point exactly; dividing by 100 would round at precision.
  return new Decimal(`${n.toString()}e-${MONEY_SCALE}`);
}
