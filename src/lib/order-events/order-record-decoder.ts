import { createRecordDecoder, type DecodedRecords as Decoded, type EventDecoder } from '../consumer';
import type { Metrics } from '../metrics';
import type { DecodedOrderEvent } from '../registry';
import { checkEvent, type ValidEvent } from './order-event-check';

/** What the consumer needs of the registry serde: decode one Confluent-framed order record. */
export type OrderEventDecoder = EventDecoder<DecodedOrderEvent>;

/** A fetched group of order records, sorted: the events to apply and the records to dead-letter. */
export type DecodedRecords = Decoded<ValidEvent>;

/**
 * Turns records of the order events topic into business-valid events and poison: an event is
 * poison when it breaks the rules it had to meet when it was written (see checkEvent).
 */
export function createOrderRecordDecoder({ decoder, topic, metrics }: { decoder: OrderEventDecoder; topic: string; metrics: Metrics }) {
  return createRecordDecoder<DecodedOrderEvent, ValidEvent>({ decoder, topic, metrics, check: checkEvent });
}
