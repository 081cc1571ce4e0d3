import type { ConfigKey } from '../../config';
import { EVENT_NAMES_BY_NAMESPACE, EVENT_SCHEMAS, type EventInputs, type EventName, type EventRecords } from '../../generated';

type Namespace = keyof typeof EVENT_NAMES_BY_NAMESPACE;

/**
 * The topics events travel on. Each topic carries the records of one Avro namespace, written by
 * one service: its subjects are `<topic>-<record full name>`, and a record of another namespace
 * on it is poison. Adding a stream means a namespace in schemas/ and a row here.
 */
export const EVENT_STREAMS = {
  /** OrderCreated and OrderStatusUpdated, written by the cart service. */
  order: { namespace: 'io.orderflow.events', topicSetting: 'ORDER_EVENTS_TOPIC' },
  /** Reservations and their outcomes, written by the inventory service. */
  inventory: { namespace: 'io.orderflow.inventory', topicSetting: 'INVENTORY_EVENTS_TOPIC' },
} as const satisfies Record<string, { namespace: Namespace; topicSetting: ConfigKey }>;

export type EventStream = keyof typeof EVENT_STREAMS;

/** The event types of one stream, e.g. 'OrderCreated' | 'OrderStatusUpdated' for `order`. */
export type StreamEventName<Stream extends EventStream> = (typeof EVENT_NAMES_BY_NAMESPACE)[(typeof EVENT_STREAMS)[Stream]['namespace']][number];

/** An event of the stream to encode: its type and the record in the current schema version. */
export type StreamEvent<Stream extends EventStream> = { [Type in StreamEventName<Stream>]: { type: Type; event: EventInputs[Type] } }[StreamEventName<Stream>];

/** A decoded event of the stream, in the current schema version whatever version wrote it. */
export type DecodedStreamEvent<Stream extends EventStream> = {
  [Type in StreamEventName<Stream>]: { type: Type; event: EventRecords[Type]; schemaId: number };
}[StreamEventName<Stream>];

/** The event types of a stream, in schemas/ order. */
export function eventNamesOf<Stream extends EventStream>(stream: Stream): readonly StreamEventName<Stream>[] {
  return EVENT_NAMES_BY_NAMESPACE[EVENT_STREAMS[stream].namespace];
}

/** The event type of `stream` whose record has this full name, if any. */
export function streamEventTypeOf<Stream extends EventStream>(stream: Stream, recordFullName: string | undefined): StreamEventName<Stream> | undefined {
  return eventNamesOf(stream).find((name) => EVENT_SCHEMAS[name as EventName].fullName === recordFullName);
}

/** The stream whose topic carries records of this full name's namespace. */
export function streamOfRecord(recordFullName: string): EventStream | undefined {
  const namespace = recordFullName.slice(0, recordFullName.lastIndexOf('.'));
  return (Object.keys(EVENT_STREAMS) as EventStream[]).find((stream) => EVENT_STREAMS[stream].namespace === namespace);
}
