import { Decimal } from 'decimal.js';

/**
 * Decimal constructor used for money arithmetic inside the domain.
 *
 * Why a clone: the global `Decimal` keeps its precision (20 significant digits by default) in
 * shared, mutable configuration. Sums of 100 lines of up to 10,000 x 9,999,999,999.99 need
 * about 19 digits, so a clone with ample precision keeps products and sums exact whatever
 * anyone else sets globally. Results leave the domain as plain `Decimal` via {@link toPlain}.
 */
export const ExactDecimal = Decimal.clone({ precision: 64, rounding: Decimal.ROUND_HALF_UP });

/** Copies a value into the default `Decimal` constructor (exactly: copying never rounds). */
export function toPlain(value: Decimal): Decimal {
  return new Decimal(value);
}
