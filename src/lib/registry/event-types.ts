import { eventNamesOf, streamEventTypeOf, type DecodedStreamEvent, type StreamEvent, type StreamEventName } from './event-streams';

/** The event types that share the order events topic, one Avro record (and subject) each. */
export const EVENT_TYPES = eventNamesOf('order');

export type OrderEventType = StreamEventName<'order'>;

/** The event types of the inventory events topic. */
export const INVENTORY_EVENT_TYPES = eventNamesOf('inventory');

export type InventoryEventType = StreamEventName<'inventory'>;

/** Kafka header naming the event type of a record (one of its topic's event types). */
export const EVENT_TYPE_HEADER = 'event-type';

/** Kafka header carrying the event id, so tools can see it without decoding Avro. */
export const EVENT_ID_HEADER = 'event-id';

/** An order event to encode: its type and the record in the current schema version. */
export type OrderEvent = StreamEvent<'order'>;

/** A decoded order event, in the current schema version whatever version wrote it. */
export type DecodedOrderEvent = DecodedStreamEvent<'order'>;

/** An inventory event to encode. */
export type InventoryEvent = StreamEvent<'inventory'>;

/** A decoded inventory event. */
export type DecodedInventoryEvent = DecodedStreamEvent<'inventory'>;

/** The order event type whose record has this full name (e.g. io.orderflow.events.OrderCreated). */
export function eventTypeOf(recordFullName: string | undefined): OrderEventType | undefined {
  return streamEventTypeOf('order', recordFullName);
}

/** True when `value` names an event type of the order events topic. */
export function isOrderEventType(value: unknown): value is OrderEventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}
