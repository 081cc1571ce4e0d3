// Generated from schemas/ by `npm run schemas:generate` — do not edit.

import type { Decimal } from 'decimal.js';

/** A shipped order's reserved units left stock. Kafka key: the order id. */
export interface InventoryCommitted {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the inventory service made the change (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order the stock is held for; also the Kafka key. */
  orderId: string;
  /** The order event this answers (its eventId), so the answer can be traced to its cause. */
  causationEventId: string;
  /** What left stock, one line per item. */
  items: Array<StockLine>;
}

/** What encoding accepts for {@link InventoryCommitted}: fields with a schema default may be left out (avsc writes the default). */
export interface InventoryCommittedInput {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the inventory service made the change (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order the stock is held for; also the Kafka key. */
  orderId: string;
  /** The order event this answers (its eventId), so the answer can be traced to its cause. */
  causationEventId: string;
  /** What left stock, one line per item. */
  items: Array<StockLineInput>;
}

/** Units of one item. */
export interface StockLine {
  /** The item (SKU). */
  itemId: string;
  /** Units, at least 1. */
  quantity: number;
}

/** What encoding accepts for {@link StockLine}: fields with a schema default may be left out (avsc writes the default). */
export interface StockLineInput {
  /** The item (SKU). */
  itemId: string;
  /** Units, at least 1. */
  quantity: number;
}

/** An order could not be reserved because some items are short; nothing was reserved. Kafka key: the order id. */
export interface InventoryRejected {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the inventory service made the change (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order the stock is held for; also the Kafka key. */
  orderId: string;
  /** The order event this answers (its eventId), so the answer can be traced to its cause. */
  causationEventId: string;
  /** Each short item, with what was asked and what was there. */
  shortItems: Array<ShortItem>;
}

/** What encoding accepts for {@link InventoryRejected}: fields with a schema default may be left out (avsc writes the default). */
export interface InventoryRejectedInput {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the inventory service made the change (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order the stock is held for; also the Kafka key. */
  orderId: string;
  /** The order event this answers (its eventId), so the answer can be traced to its cause. */
  causationEventId: string;
  /** Each short item, with what was asked and what was there. */
  shortItems: Array<ShortItemInput>;
}

/** An item the order asks more of than is available. */
export interface ShortItem {
  /** The item (SKU). */
  itemId: string;
  /** Units the order asks for. */
  requested: number;
  /** Units available to reserve when the order was checked (0 for an item never stocked). */
  available: number;
}

/** What encoding accepts for {@link ShortItem}: fields with a schema default may be left out (avsc writes the default). */
export interface ShortItemInput {
  /** The item (SKU). */
  itemId: string;
  /** Units the order asks for. */
  requested: number;
  /** Units available to reserve when the order was checked (0 for an item never stocked). */
  available: number;
}

/** A cancelled order's reservation was released: the units moved from reserved back to available. Kafka key: the order id. */
export interface InventoryReleased {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the inventory service made the change (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order the stock is held for; also the Kafka key. */
  orderId: string;
  /** The order event this answers (its eventId), so the answer can be traced to its cause. */
  causationEventId: string;
  /** What was released, one line per item. */
  items: Array<StockLine>;
}

/** What encoding accepts for {@link InventoryReleased}: fields with a schema default may be left out (avsc writes the default). */
export interface InventoryReleasedInput {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the inventory service made the change (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order the stock is held for; also the Kafka key. */
  orderId: string;
  /** The order event this answers (its eventId), so the answer can be traced to its cause. */
  causationEventId: string;
  /** What was released, one line per item. */
  items: Array<StockLineInput>;
}

/** Every line of an order was reserved, atomically: the units moved from available to reserved. Kafka key: the order id. */
export interface InventoryReserved {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the inventory service made the change (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order the stock is held for; also the Kafka key. */
  orderId: string;
  /** The order event this answers (its eventId), so the answer can be traced to its cause. */
  causationEventId: string;
  /** What was reserved, one line per item (an item ordered on several lines is summed). */
  items: Array<StockLine>;
}

/** What encoding accepts for {@link InventoryReserved}: fields with a schema default may be left out (avsc writes the default). */
export interface InventoryReservedInput {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the inventory service made the change (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order the stock is held for; also the Kafka key. */
  orderId: string;
  /** The order event this answers (its eventId), so the answer can be traced to its cause. */
  causationEventId: string;
  /** What was reserved, one line per item (an item ordered on several lines is summed). */
  items: Array<StockLineInput>;
}

/** An order was accepted by the cart service; carries the whole order. Kafka key: the order id. */
export interface OrderCreated {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the order was accepted (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order as accepted. */
  order: Order;
}

/** What encoding accepts for {@link OrderCreated}: fields with a schema default may be left out (avsc writes the default). */
export interface OrderCreatedInput {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the order was accepted (UTC instant, milliseconds). */
  occurredAt: Date;
  /** The order as accepted. */
  order: OrderInput;
}

/** An e-commerce order. */
export interface Order {
  /** Business id of the order, e.g. ORDER-001. */
  orderId: string;
  /** Id of the customer who placed the order. */
  customerId: string;
  /** When the customer placed the order (UTC instant, milliseconds). */
  orderDate: Date;
  /** The order lines; never empty. */
  items: Array<OrderItem>;
  /** Sum of price x quantity over the items, exact. */
  totalAmount: Decimal;
  /** ISO 4217 code of the prices and total, e.g. EUR. */
  currency: string;
  /** Status of the order when the event was written. */
  status: OrderStatus;
  /** Where the order was placed: web, mobile, marketplace, ... Added in v2; records written before v2 read as web. Default: "web". */
  salesChannel: string;
}

/** What encoding accepts for {@link Order}: fields with a schema default may be left out (avsc writes the default). */
export interface OrderInput {
  /** Business id of the order, e.g. ORDER-001. */
  orderId: string;
  /** Id of the customer who placed the order. */
  customerId: string;
  /** When the customer placed the order (UTC instant, milliseconds). */
  orderDate: Date;
  /** The order lines; never empty. */
  items: Array<OrderItemInput>;
  /** Sum of price x quantity over the items, exact. */
  totalAmount: Decimal;
  /** ISO 4217 code of the prices and total, e.g. EUR. */
  currency: string;
  /** Status of the order when the event was written. */
  status: OrderStatus;
  /** Where the order was placed: web, mobile, marketplace, ... Added in v2; records written before v2 read as web. Default: "web". */
  salesChannel?: string;
}

/** One order line. */
export interface OrderItem {
  /** Id of the article. */
  itemId: string;
  /** How many, at least 1. */
  quantity: number;
  /** Unit price in the order's currency, exact, greater than 0. */
  price: Decimal;
}

/** What encoding accepts for {@link OrderItem}: fields with a schema default may be left out (avsc writes the default). */
export interface OrderItemInput {
  /** Id of the article. */
  itemId: string;
  /** How many, at least 1. */
  quantity: number;
  /** Unit price in the order's currency, exact, greater than 0. */
  price: Decimal;
}

/** The symbols of io.orderflow.events.OrderStatus, in schema order. */
export const ORDER_STATUS_SYMBOLS = ['pending', 'confirmed', 'paid', 'shipped', 'delivered', 'cancelled', 'unknown', 'processing'] as const;

/** Order lifecycle. A symbol this reader does not know reads as 'unknown', which consumers reject as invalid. New symbols go at the end (processing: added in OrderCreated v3 and OrderStatusUpdated v2). */
export type OrderStatus = (typeof ORDER_STATUS_SYMBOLS)[number];

/** An order moved to a new status. Kafka key: the order id, so it stays behind the order's OrderCreated. */
export interface OrderStatusUpdated {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the status changed (UTC instant, milliseconds). */
  occurredAt: Date;
  /** Business id of the order, e.g. ORDER-001. */
  orderId: string;
  /** The new status. */
  status: OrderStatus;
  /** The status before the change, when the producer knew it. Default: null. */
  previousStatus: null | OrderStatus;
}

/** What encoding accepts for {@link OrderStatusUpdated}: fields with a schema default may be left out (avsc writes the default). */
export interface OrderStatusUpdatedInput {
  /** Unique id of this event; consumers use it to ignore duplicates. */
  eventId: string;
  /** When the status changed (UTC instant, milliseconds). */
  occurredAt: Date;
  /** Business id of the order, e.g. ORDER-001. */
  orderId: string;
  /** The new status. */
  status: OrderStatus;
  /** The status before the change, when the producer knew it. Default: null. */
  previousStatus?: null | OrderStatus;
}
