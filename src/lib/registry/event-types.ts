import { EVENT_NAMES, EVENT_SCHEMAS, type EventInputs, type EventName, type EventRecords } from '../../generated';

/** The event types that share the order events topic, one Avro record (and subject) each. */
export const EVENT_TYPES: readonly EventName[] = EVENT_NAMES;

export type OrderEventType = EventName;

/** Kafka header naming the event type of a record (one of EVENT_TYPES). */
export const EVENT_TYPE_HEADER = 'event-type';

/** Kafka header carrying the event id, so tools can see it without decoding Avro. */
export const EVENT_ID_HEADER = 'event-id';

/** An event to encode: its type and the record in the current schema version. */
export type OrderEvent = { [Type in EventName]: { type: Type; event: EventInputs[Type] } }[EventName];

/** A decoded event, in the current schema version whatever version wrote it. */
export type DecodedOrderEvent = { [Type in EventName]: { type: Type; event: EventRecords[Type]; schemaId: number } }[EventName];

/** The event type whose record has this full name (e.g. io.orderflow.events.OrderCreated). */
export function eventTypeOf(recordFullName: string | undefined): OrderEventType | undefined {
  return EVENT_NAMES.find((name) => EVENT_SCHEMAS[name].fullName === recordFullName);
}

/** True when `value` names an event type of the order events topic. */
export function isOrderEventType(value: unknown): value is OrderEventType {
  return typeof value === 'string' && (EVENT_NAMES as readonly string[]).includes(value);
}
