import type { KafkaMessage } from 'kafkajs';
import { toAppError } from '../../errors';
import type { PoisonRecord } from '../consumer';
import type { Metrics } from '../metrics';
import type { DecodedOrderEvent } from '../registry';
import { checkEvent, type ValidEvent } from './order-event-check';

/** What the consumer needs of the registry serde: decode one Confluent-framed record. */
export interface OrderEventDecoder {
  decode(buffer: Buffer): Promise<DecodedOrderEvent>;
}

/** A fetched group of records, sorted: the events to apply and the records to dead-letter. */
export interface DecodedRecords {
  valid: ValidEvent[];
  poison: PoisonRecord[];
}

/**
 * Turns Kafka records of one partition into business-valid events and poison. A record is
 * poison when it can never be applied: not Confluent Avro, an unknown schema, or an event that
 * breaks the rules it had to meet when it was written. A registry that cannot answer NOW is not
 * the record's fault: that failure is thrown (retriable), and the batch is retried.
 */
export function createOrderRecordDecoder({ decoder, topic, metrics }: { decoder: OrderEventDecoder; topic: string; metrics: Metrics }) {
  async function decodeOne(partition: number, message: KafkaMessage): Promise<ValidEvent | PoisonRecord> {
    if (!message.value || message.value.length === 0) return { message, errorCode: 'NOT_CONFLUENT_AVRO', errorMessage: 'the record has no value' };
    let decoded: DecodedOrderEvent;
    try {
      decoded = await decoder.decode(message.value);
    } catch (error) {
      const failure = toAppError(error);
      if (failure.retriable) {
        metrics.registryErrors.inc({ operation: 'decode' });
        throw failure;
      }
      return { message, errorKind: failure.code, errorCode: failure.details.reason ?? failure.code, errorMessage: failure.message };
    }
    const checked = checkEvent(decoded, { topic, partition, offset: message.offset });
    if (checked.ok) return checked.event;
    return { message, errorCode: 'BUSINESS_INVALID', errorMessage: checked.reason, eventType: decoded.type, eventId: decoded.event.eventId, schemaId: decoded.schemaId };
  }

  return async function decodeRecords(partition: number, messages: readonly KafkaMessage[]): Promise<DecodedRecords> {
    const valid: ValidEvent[] = [];
    const poison: PoisonRecord[] = [];
    for (const message of messages) {
      const result = await decodeOne(partition, message);
      if ('errorCode' in result) poison.push(result);
      else valid.push(result);
    }
    return { valid, poison };
  };
}
