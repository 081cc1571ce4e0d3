import type { KafkaMessage } from 'kafkajs';
import { toAppError } from '../errors';
import type { PoisonRecord } from '../lib/consumer';
import type { Metrics } from '../lib/metrics';
import type { EventPosition } from '../lib/order-events';
import type { DecodedInventoryEvent } from '../lib/registry';

/** What the consumer needs of the inventory events' serde: decode one Confluent-framed record. */
export interface InventoryEventDecoder {
  decode(buffer: Buffer): Promise<DecodedInventoryEvent>;
}

/** A decoded inventory event that passed its checks, with where it was read. */
export type InventoryNotice = DecodedInventoryEvent & { position: EventPosition };

/** A fetched group of inventory records, sorted: the events to store and the records to dead-letter. */
export interface DecodedInventoryRecords {
  valid: InventoryNotice[];
  poison: PoisonRecord[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why a decoded inventory event cannot be stored, or undefined when it can. */
export function inventoryEventProblem({ event }: DecodedInventoryEvent): string | undefined {
  if (!UUID.test(event.eventId)) return `eventId must be a UUID, got '${event.eventId}'`;
  if (event.orderId.trim() === '') return 'orderId must be a non-empty string';
  if (Number.isNaN(event.occurredAt.getTime())) return 'occurredAt is not a valid time';
  return undefined;
}

/**
 * Turns records of the inventory events topic into checked events and poison, as
 * createOrderRecordDecoder does for the order topic: poison when a record can never be stored
 * (not Confluent Avro, an unknown schema, a record of another stream, an event id that is no
 * UUID), while a registry that cannot answer NOW is thrown (retriable) and the batch retried.
 */
export function createInventoryRecordDecoder({ decoder, topic, metrics }: { decoder: InventoryEventDecoder; topic: string; metrics: Metrics }) {
  async function decodeOne(partition: number, message: KafkaMessage): Promise<InventoryNotice | PoisonRecord> {
    if (!message.value || message.value.length === 0) return { message, errorCode: 'NOT_CONFLUENT_AVRO', errorMessage: 'the record has no value' };
    let decoded: DecodedInventoryEvent;
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
    const problem = inventoryEventProblem(decoded);
    if (problem !== undefined) {
      return { message, errorCode: 'BUSINESS_INVALID', errorMessage: problem, eventType: decoded.type, eventId: decoded.event.eventId, schemaId: decoded.schemaId };
    }
    return { ...decoded, position: { topic, partition, offset: message.offset } };
  }

  return async function decodeRecords(partition: number, messages: readonly KafkaMessage[]): Promise<DecodedInventoryRecords> {
    const valid: InventoryNotice[] = [];
    const poison: PoisonRecord[] = [];
    for (const message of messages) {
      const result = await decodeOne(partition, message);
      if ('errorCode' in result) poison.push(result);
      else valid.push(result);
    }
    return { valid, poison };
  };
}
