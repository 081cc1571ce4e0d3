import { Decimal } from 'decimal.js';
import { MONEY_MAX_INTEGER_DIGITS, MONEY_SCALE } from './money';
import { parseStatus, type OrderStatus } from './order-status';
import { MAX_ID_LENGTH, MAX_ITEMS, MAX_QUANTITY } from './order-schemas';

/** An order as a decoded event carries it: money already Decimal, the date already a Date. */
export interface TypedOrder {
  orderId: unknown;
  customerId: unknown;
  orderDate: unknown;
  items: ReadonlyArray<{ itemId: unknown; quantity: unknown; price: unknown }>;
  totalAmount: unknown;
  currency: unknown;
  status?: unknown;
}

const RECORDED_CURRENCY = /^[A-Z]{3}$/;
/** A control character or a lone surrogate: the id rules refuse both. */
const UNPRINTABLE = /[\p{Cc}\p{Surrogate}]/u;
/** The first amount, in minor units, with too many integer digits. */
const MONEY_LIMIT_MINOR = 10 ** (MONEY_MAX_INTEGER_DIGITS + MONEY_SCALE);

function plainId(id: unknown): boolean {
  return typeof id === 'string' && id.length >= 1 && id.length <= MAX_ID_LENGTH && id.trim().length > 0 && !UNPRINTABLE.test(id);
}

/** A positive Decimal of money's scale and integer digits, in minor units (cents); undefined otherwise. */
function plainCents(value: unknown): number | undefined {
  if (!Decimal.isDecimal(value) || !value.isFinite() || value.decimalPlaces() > MONEY_SCALE || !value.isPositive() || value.isZero()) return undefined;
  const cents = Number(value.toFixed(MONEY_SCALE).replace('.', ''));
  return cents > 0 && cents < MONEY_LIMIT_MINOR ? cents : undefined;
}

/**
 * The canonical status of `order` when it certainly passes `validateOrder(..., { recorded: true })`,
 * checked on the typed values (integer cents instead of Decimal sums, no schema parsing); undefined
 * when unsure, and validateOrder must decide. It accepts a strict subset of what validateOrder
 * accepts (a unit test compares both), so it is a fast path for the consumer, never a second rule book.
 */
export function plainlyValidRecordedStatus(order: TypedOrder): OrderStatus | undefined {
  if (!plainId(order.orderId) || !plainId(order.customerId)) return undefined;
  const date = order.orderDate;
  if (!(date instanceof Date)) return undefined;
  const year = date.getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) return undefined;
  if (typeof order.currency !== 'string' || !RECORDED_CURRENCY.test(order.currency)) return undefined;
  if (order.status === undefined) return undefined;
  const status = parseStatus(order.status);
  if (status === undefined) return undefined;
  const { items } = order;
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_ITEMS) return undefined;
  let sum = 0;
  for (const item of items) {
    if (typeof item !== 'object' || item === null || !plainId(item.itemId)) return undefined;
    const { quantity } = item;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) return undefined;
    const cents = plainCents(item.price);
    if (cents === undefined) return undefined;
    sum += cents * quantity;
  }
  const total = plainCents(order.totalAmount);
  return total !== undefined && Number.isSafeInteger(sum) && sum === total ? status : undefined;
}
