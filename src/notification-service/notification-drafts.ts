import { formatMoney } from '../domain';
import { describeShortItem } from '../lib/inventory-events';
import type { EventPosition, ValidEvent } from '../lib/order-events';
import type { StockLine } from '../lib/registry';
import type { InventoryNotice } from './inventory-notice-decoder';

/**
 * What each meaningful event becomes as a notification, without I/O: its kind, a short message a
 * person reads, and the details a program reads.
 */

export const NOTIFICATION_KINDS = ['order_placed', 'stock_reserved', 'out_of_stock', 'stock_released', 'stock_committed', 'status_changed'] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** A JSON value, as the details column stores it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A notification before it is stored: the event it tells of, and what it says. */
export interface NotificationDraft {
  kind: NotificationKind;
  orderId: string;
  message: string;
  details: { [key: string]: Json };
  occurredAt: Date;
  sourceEventId: string;
  sourceEventType: string;
  source: EventPosition;
}

/** Items a message names before it says how many more there are: messages stay short, the details list them all. */
export const MAX_ITEMS_NAMED = 5;

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** `render` of each entry, comma-separated, the entries past MAX_ITEMS_NAMED counted instead of named. */
function listed<T>(entries: readonly T[], render: (entry: T) => string): string {
  const named = entries.slice(0, MAX_ITEMS_NAMED).map(render).join(', ');
  const more = entries.length - MAX_ITEMS_NAMED;
  return more > 0 ? `${named} and ${more} more` : named;
}

const stockLines = (items: readonly StockLine[]): string => listed(items, ({ itemId, quantity }) => `${quantity} of ${itemId}`);
const plainLines = (items: readonly StockLine[]): Json => items.map(({ itemId, quantity }) => ({ itemId, quantity }));

/** The notification of an order event: its placement, or its move to a new status. */
export function draftOfOrderEvent(event: ValidEvent): NotificationDraft {
  const common = { orderId: event.orderId, occurredAt: event.occurredAt, sourceEventId: event.eventId, sourceEventType: event.type, source: event.position };
  if (event.type === 'OrderCreated' && event.order) {
    const { order } = event;
    const units = order.items.reduce((sum, item) => sum + item.quantity, 0);
    const total = `${formatMoney(order.totalAmount)} ${order.currency}`;
    return {
      ...common,
      kind: 'order_placed',
      message: `Order ${order.orderId} placed: ${plural(units, 'unit')} of ${plural(order.items.length, 'item')}, ${total}`,
      details: {
        customerId: order.customerId,
        orderDate: order.orderDate.toISOString(),
        items: order.items.map((item) => ({ itemId: item.itemId, quantity: item.quantity, price: formatMoney(item.price) })),
        totalAmount: formatMoney(order.totalAmount),
        currency: order.currency,
        status: event.status,
      },
    };
  }
  return { ...common, kind: 'status_changed', message: `Order ${event.orderId} is now ${event.status}`, details: { status: event.status } };
}

/** The notification of an inventory event: stock reserved, short, released or committed. */
export function draftOfInventoryEvent(notice: InventoryNotice): NotificationDraft {
  const { event } = notice;
  const common = { orderId: event.orderId, occurredAt: event.occurredAt, sourceEventId: event.eventId, sourceEventType: notice.type, source: notice.position };
  const cause = { causationEventId: event.causationEventId };
  switch (notice.type) {
    case 'InventoryReserved':
      return { ...common, kind: 'stock_reserved', message: `Stock reserved for order ${event.orderId}: ${stockLines(notice.event.items)}`, details: { ...cause, items: plainLines(notice.event.items) } };
    case 'InventoryRejected':
      return {
        ...common,
        kind: 'out_of_stock',
        message: `Order ${event.orderId} is out of stock: ${listed(notice.event.shortItems, describeShortItem)}`,
        details: { ...cause, shortItems: notice.event.shortItems.map(({ itemId, requested, available }) => ({ itemId, requested, available })) },
      };
    case 'InventoryReleased':
      return { ...common, kind: 'stock_released', message: `Stock released for order ${event.orderId}: ${stockLines(notice.event.items)}`, details: { ...cause, items: plainLines(notice.event.items) } };
    case 'InventoryCommitted':
      return {
        ...common,
        kind: 'stock_committed',
        message: `Stock left the warehouse for order ${event.orderId}: ${stockLines(notice.event.items)}`,
        details: { ...cause, items: plainLines(notice.event.items) },
      };
  }
}
