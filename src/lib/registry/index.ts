/**
 * The schema registry layer shared by the services: events in Confluent wire format (Avro
 * bodies, schemas in a Confluent-compatible registry, subjects by TopicRecordNameStrategy), one
 * stream of records per topic.
 */
export {
  createEventSerde,
  createInventoryEventSerde,
  createOrderEventSerde,
  type EventSerde,
  type EventSerdeOptions,
  type InventoryEventSerde,
  type OrderEventSerde,
  type OrderEventSerdeOptions,
} from './event.serde';
export {
  EVENT_STREAMS,
  eventNamesOf,
  streamOfRecord,
  type DecodedStreamEvent,
  type EventStream,
  type StreamEvent,
  type StreamEventName,
} from './event-streams';
export {
  EVENT_TYPES,
  INVENTORY_EVENT_TYPES,
  EVENT_TYPE_HEADER,
  EVENT_ID_HEADER,
  eventTypeOf,
  isOrderEventType,
  type OrderEvent,
  type DecodedOrderEvent,
  type OrderEventType,
  type InventoryEvent,
  type DecodedInventoryEvent,
  type InventoryEventType,
} from './event-types';
export { subjectFor } from './subject';
export { eventJson } from './event-json';
export { parseWireHeader, frameWireRecord, MAGIC_BYTE, WIRE_HEADER_LENGTH, type WireHeader } from './wire-format';
export { POISON_REASONS, poisonReasonOf, type PoisonReason } from './registry-errors';
export { COMPATIBILITY_MODES, DEFAULT_COMPATIBILITY, promisedReadPairs, type CompatibilityMode, type ReadPair } from './compatibility';
export { createRegistryClient, RegistryHttpError, type RegistryClient, type RegisteredSchema, type CompatibilityVerdict } from './registry-client';
export { avroType, AVRO_OPTIONS, DecimalType, TimestampMillisType, UUID, UuidType } from './logical-types';
export { decimalToBytes, bytesToDecimal, type DecimalSpec } from './decimal-codec';
export type {
  OrderCreated,
  OrderCreatedInput,
  Order as OrderRecord,
  OrderInput as OrderRecordInput,
  OrderItem as OrderItemRecord,
  OrderItemInput as OrderItemRecordInput,
  OrderStatus as OrderStatusSymbol,
  OrderStatusUpdated,
  OrderStatusUpdatedInput,
} from '../../generated';
export type { InventoryReserved, InventoryRejected, InventoryReleased, InventoryCommitted, StockLine, ShortItem } from '../../generated';
export { ORDER_STATUS_SYMBOLS } from '../../generated';
