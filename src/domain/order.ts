import type { Decimal } from 'decimal.js';
import { formatMoney } from './money';
import type { OrderStatus } from './order-status';

/** One line of an order: `quantity` units of item `itemId` at `price` each. */
export interface OrderItem {
  itemId: string;
  /** Whole number of units, 1..10,000. */
  quantity: number;
  /** Unit price, > 0, at most 2 decimals. */
  price: Decimal;
}

/** A validated order, as the domain works with it (exact money, real dates). */
export interface Order {
  orderId: string;
  customerId: string;
  orderDate: Date;
  items: OrderItem[];
  /** Exactly the sum of price x quantity over `items`. */
  totalAmount: Decimal;
  /** Active ISO 4217 code, upper case. */
  currency: string;
  status: OrderStatus;
}

/** An order line as JSON: the price is a string with 2 decimals ("19.99"). */
export interface OrderItemJson {
  itemId: string;
  quantity: number;
  price: string;
}

/** An order as JSON/HTTP: money as 2-decimal strings, the date as UTC ISO 8601 with milliseconds. */
export interface OrderJson {
  orderId: string;
  customerId: string;
  /** `Date.prototype.toISOString()`, e.g. "2024-05-01T12:00:00.000Z". */
  orderDate: string;
  items: OrderItemJson[];
  totalAmount: string;
  currency: string;
  status: OrderStatus;
}

/** The JSON view of an order; `validateOrder` reads it back to an equal order. */
export function toOrderJson(order: Order): OrderJson {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    orderDate: order.orderDate.toISOString(),
    items: order.items.map((item) => ({ itemId: item.itemId, quantity: item.quantity, price: formatMoney(item.price) })),
    totalAmount: formatMoney(order.totalAmount),
    currency: order.currency,
    status: order.status,
  };
}
