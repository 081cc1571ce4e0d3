/**
 * The order events as every consumer of the order events topic reads them: decoded through the
 * registry and checked against the rules they had to meet when written, or poison.
 */
export {
  checkEvent,
  type EventOrder,
  type EventPosition,
  type OrderCreatedEvent,
  type OrderEvent,
  type OrderEventType,
  type OrderStatusUpdatedEvent,
  type ValidEvent,
} from './order-event-check';
export { createOrderRecordDecoder, type DecodedRecords, type OrderEventDecoder } from './order-record-decoder';
