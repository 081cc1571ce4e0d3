import { Decimal } from 'decimal.js';
import { ExactDecimal, toPlain } from './exact-decimal';
import { MONEY_SCALE } from './money';

/** Shipping is charged at 2% of the order total. */
export const SHIPPING_RATE = new Decimal('0.02');

/**
 * Shipping cost of an order: 2% of `total`, exact, rounded half-up to cents
 * (0.25 -> 0.01 because 0.005 rounds up; 0.24 -> 0.00; 10.00 -> 0.20). Ties round away from
 * zero, so a negative total (never valid for an order) mirrors a positive one.
 */
export function shippingCost(total: Decimal): Decimal {
  const cost = new ExactDecimal(total).times(SHIPPING_RATE).toDecimalPlaces(MONEY_SCALE, Decimal.ROUND_HALF_UP);
  return toPlain(cost);
}
