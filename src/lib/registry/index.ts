/**
 * The schema registry layer shared by both services: order events in Confluent wire format
 * (Avro bodies, schemas in a Confluent-compatible registry, subjects by TopicRecordNameStrategy).
 */
export { createOrderEventSerde, type OrderEventSerde, type OrderEventSerdeOptions } from './order-event.serde';
export {
  EVENT_TYPES,
  EVENT_TYPE_HEADER,
  EVENT_ID_HEADER,
  eventTypeOf,
  isOrderEventType,
  type OrderEvent,
  type DecodedOrderEvent,
  type OrderEventType,
} from './event-types';
export { subjectFor } from './subject';
export { eventJson } from './event-json';
export { parseWireHeader, frameWireRecord, MAGIC_BYTE, WIRE_HEADER_LENGTH, type WireHeader } from './wire-format';
export { POISON_REASONS, poisonReasonOf, type PoisonReason } from './registry-errors';
export { COMPATIBILITY_MODES, DEFAULT_COMPATIBILITY, promisedReadPairs, type CompatibilityMode, type ReadPair } from './compatibility';
export { createRegistryClient, RegistryHttpError, type RegistryClient, type RegisteredSchema, type CompatibilityVerdict } from './registry-client';
export { avroType, AVRO_OPTIONS, DecimalType, TimestampMillisType, UuidType } from './logical-types';
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
export { ORDER_STATUS_SYMBOLS } from '../../generated';
