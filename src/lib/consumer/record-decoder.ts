import type { KafkaMessage } from 'kafkajs';
import { toAppError } from '../../errors';
import type { Metrics } from '../metrics';
import type { PoisonRecord } from './poison-record';

/** Where a record was read from. Offsets are strings, as kafkajs gives them (int64). */
export interface EventPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** The registry serde's side a consumer needs: decode one Confluent-framed record. */
export interface EventDecoder<Decoded> {
  decode(buffer: Buffer): Promise<Decoded>;
}

/** A business check on a decoded event: the event to apply, or why it never can be. */
export type EventCheck<Valid> = { ok: true; event: Valid } | { ok: false; reason: string };

/** A fetched group of records, sorted: the events to apply and the records to dead-letter. */
export interface DecodedRecords<Valid> {
  valid: Valid[];
  poison: PoisonRecord[];
}

interface DecodedEvent {
  type: string;
  event: { eventId: string };
  schemaId: number;
}

/**
 * Turns Kafka records of one partition into business-valid events and poison. A record is
 * poison when it can never be applied: not Confluent Avro, an unknown schema, a record of
 * another topic, or an event that fails `check`. A registry that cannot answer NOW is not the
 * record's fault: that failure is thrown (retriable), and the batch is retried.
 */
export function createRecordDecoder<Decoded extends DecodedEvent, Valid>({
  decoder,
  topic,
  metrics,
  check,
}: {
  decoder: EventDecoder<Decoded>;
  topic: string;
  metrics: Metrics;
  check(decoded: Decoded, position: EventPosition): EventCheck<Valid>;
}) {
  async function decodeOne(partition: number, message: KafkaMessage): Promise<{ valid: Valid } | { poison: PoisonRecord }> {
    if (!message.value || message.value.length === 0) return { poison: { message, errorCode: 'NOT_CONFLUENT_AVRO', errorMessage: 'the record has no value' } };
    let decoded: Decoded;
    try {
      decoded = await decoder.decode(message.value);
    } catch (error) {
      const failure = toAppError(error);
      if (failure.retriable) {
        metrics.registryErrors.inc({ operation: 'decode' });
        throw failure;
      }
      return { poison: { message, errorKind: failure.code, errorCode: failure.details.reason ?? failure.code, errorMessage: failure.message } };
    }
    const checked = check(decoded, { topic, partition, offset: message.offset });
    if (checked.ok) return { valid: checked.event };
    return { poison: { message, errorCode: 'BUSINESS_INVALID', errorMessage: checked.reason, eventType: decoded.type, eventId: decoded.event.eventId, schemaId: decoded.schemaId } };
  }

  return async function decodeRecords(partition: number, messages: readonly KafkaMessage[]): Promise<DecodedRecords<Valid>> {
    const records: DecodedRecords<Valid> = { valid: [], poison: [] };
    for (const message of messages) {
      const result = await decodeOne(partition, message);
      if ('valid' in result) records.valid.push(result.valid);
      else records.poison.push(result.poison);
    }
    return records;
  };
}
