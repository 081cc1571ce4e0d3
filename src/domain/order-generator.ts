import { AppError } from '../errors';
import { fromMinorUnits, sumLineItems } from './money';
import type { Order, OrderItem } from './order';
import { INITIAL_ORDER_STATUS } from './order-status';
import { MAX_ITEMS } from './order-schemas';

/** A source of uniform random numbers in [0, 1), like `Math.random`; pass a seeded one for repeatable orders. */
export type RandomSource = () => number;

/** Currencies generated orders are priced in (real ISO 4217 codes). */
export const GENERATED_CURRENCIES = ['USD', 'EUR', 'GBP'] as const;

/**
 * The items generated orders are drawn from: a small catalogue, so that orders compete for the
 * same stock (`npm start` stocks each of them) and the simulator shows reservations and refusals.
 */
export const GENERATED_CATALOGUE: readonly [string, ...string[]] = ['ITEM-001', ...Array.from({ length: 19 }, (_, index) => `ITEM-${String(index + 2).padStart(3, '0')}`)];

/** Bounds of generated orders: quantity per line, and unit price in cents (1.00 .. 500.00). */
const GENERATED = { minQuantity: 1, maxQuantity: 5, minPriceCents: 100, maxPriceCents: 50_000 } as const;

/** A whole number in [min, max], drawn from `random`. */
function randomInt(random: RandomSource, min: number, max: number): number {
  // min() guards a source that returns exactly 1, which Math.random never does but a stub might.
  return Math.min(max, min + Math.floor(random() * (max - min + 1)));
}

function pick<T>(random: RandomSource, values: readonly [T, ...T[]]): T {
  return values[randomInt(random, 0, values.length - 1)] ?? values[0];
}

function generateItem(random: RandomSource): OrderItem {
  return {
    itemId: pick(random, GENERATED_CATALOGUE),
    quantity: randomInt(random, GENERATED.minQuantity, GENERATED.maxQuantity),
    // Drawn as whole cents so every price is exact money, never a float rounded afterwards.
    price: fromMinorUnits(BigInt(randomInt(random, GENERATED.minPriceCents, GENERATED.maxPriceCents))),
  };
}

/**
 * Generates a new, valid order for the short create form: customer `CUST-1000`..`CUST-9999`,
 * dated `now`, `numItems` lines of the items of GENERATED_CATALOGUE (they may repeat) with quantity
 * 1..5 and a price of 1.00..500.00, priced in USD, EUR or GBP, status 'pending', and the exact
 * total. The same `random` sequence and `now` give the same order.
 *
 * Throws AppError VALIDATION_FAILED when `numItems` is not a whole number 1..100.
 */
export function generateOrder(orderId: string, numItems: number, random: RandomSource = Math.random, now: Date = new Date()): Order {
  if (!Number.isInteger(numItems) || numItems < 1 || numItems > MAX_ITEMS) {
    const message = `numItems must be a whole number from 1 to ${MAX_ITEMS}, got ${numItems}`;
    throw new AppError('VALIDATION_FAILED', message, { fieldErrors: [{ field: 'numItems', message }] });
  }
  const customerId = `CUST-${randomInt(random, 1000, 9999)}`;
  const items = Array.from({ length: numItems }, () => generateItem(random));
  return {
    orderId,
    customerId,
    orderDate: new Date(now.getTime()),
    items,
    totalAmount: sumLineItems(items),
    currency: pick(random, GENERATED_CURRENCIES),
    status: INITIAL_ORDER_STATUS,
  };
}
