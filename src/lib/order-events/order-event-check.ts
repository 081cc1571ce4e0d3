import { parseStatus, plainlyValidRecordedStatus, validateOrder, type OrderStatus } from '../../domain';
import type { EventCheck, EventPosition } from '../consumer';
import { UUID, type OrderCreated, type OrderRecord, type OrderStatusUpdated } from '../registry';

export type { EventPosition } from '../consumer';

/**
 * What a decoded event must be to be applied at all, without I/O: the event types the order
 * service reads, and the check that turns a decoded event into a ValidEvent or a reason.
 */

/**
 * The fields of the decoded events (the generated Avro types) that the handler reads, so a
 * schema change flows through. Status is widened to `string`: the handler itself checks it
 * ('unknown', a writer's symbol this reader does not know, is invalid).
 */
type WithStatus<T> = Omit<T, 'status'> & { status: string };

/** An order as an OrderCreated event carries it (the registry serde's decoded form). */
export type EventOrder = WithStatus<Pick<OrderRecord, 'orderId' | 'customerId' | 'orderDate' | 'items' | 'totalAmount' | 'currency' | 'status'>>;

export type OrderCreatedEvent = Pick<OrderCreated, 'eventId' | 'occurredAt'> & { order: EventOrder };

export type OrderStatusUpdatedEvent = WithStatus<Pick<OrderStatusUpdated, 'eventId' | 'occurredAt' | 'orderId' | 'status'>>;

/** A decoded event as the handler takes it: any `DecodedOrderEvent` of these types is one. */
export type OrderEvent = { type: 'OrderCreated'; event: OrderCreatedEvent } | { type: 'OrderStatusUpdated'; event: OrderStatusUpdatedEvent };
export type OrderEventType = OrderEvent['type'];

/** A business-valid event with its canonical status and position. */
export interface ValidEvent {
  type: OrderEventType;
  eventId: string;
  orderId: string;
  occurredAt: Date;
  status: OrderStatus;
  /** Present for OrderCreated. */
  order?: EventOrder;
  position: EventPosition;
}

/**
 * Business checks on a decoded event: a UUID event id, and for OrderCreated every rule of
 * `validateOrder` as recorded (total = item sum exactly, a currency code, known status, ...; not today's
 * currency table, so replaying history does not re-judge it). A failing
 * event is poison: it goes to the dead-letter topic, never to the database.
 */
export function checkEvent(decoded: OrderEvent, position: EventPosition): EventCheck<ValidEvent> {
  const { eventId, occurredAt } = decoded.event;
  if (typeof eventId !== 'string' || !UUID.test(eventId)) return { ok: false, reason: `eventId must be a UUID, got '${String(eventId)}'` };
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) return { ok: false, reason: 'occurredAt is not a valid time' };

  if (decoded.type === 'OrderCreated') {
    const { order } = decoded.event;
    // Most recorded orders plainly meet every rule: checked on the typed values, without the
    // schema parse and Decimal re-reading below, which then only decides (and words) the rest.
    const plainStatus = plainlyValidRecordedStatus(order);
    if (plainStatus !== undefined) {
      return { ok: true, event: { type: 'OrderCreated', eventId: eventId.toLowerCase(), orderId: order.orderId, occurredAt, status: plainStatus, order, position } };
    }
    const validation = validateOrder({
      orderId: order.orderId,
      customerId: order.customerId,
      orderDate: order.orderDate.toISOString(),
      items: order.items.map((item) => ({ itemId: item.itemId, quantity: item.quantity, price: item.price.toFixed() })),
      totalAmount: order.totalAmount.toFixed(),
      currency: order.currency,
      status: order.status,
    }, { recorded: true });
    if (!validation.ok) return { ok: false, reason: validation.errors.map((error) => error.message).join('; ') };
    const status = validation.order.status;
    return {
      ok: true,
      event: { type: 'OrderCreated', eventId: eventId.toLowerCase(), orderId: order.orderId, occurredAt, status, order, position },
    };
  }

  const { orderId, status: rawStatus } = decoded.event;
  if (typeof orderId !== 'string' || orderId.trim() === '') return { ok: false, reason: 'orderId must be a non-empty string' };
  const status = parseStatus(rawStatus);
  if (status === undefined) return { ok: false, reason: `status must be one of the order statuses, got '${String(rawStatus)}'` };
  return { ok: true, event: { type: 'OrderStatusUpdated', eventId: eventId.toLowerCase(), orderId, occurredAt, status, position } };
}

