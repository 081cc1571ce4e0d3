import type { KafkaMessage } from 'kafkajs';

/** A record that cannot be applied, on its way to the dead-letter topic. */
export interface PoisonRecord {
  message: KafkaMessage;
  /** The AppError kind: POISON_MESSAGE (the default), or INTERNAL for a record that failed processing on its own. */
  errorKind?: string;
  /** Why, precisely: a poison reason (NOT_CONFLUENT_AVRO, UNKNOWN_SCHEMA_ID, ...), BUSINESS_INVALID or PROCESSING_FAILED. */
  errorCode: string;
  errorMessage: string;
  eventType?: string;
  eventId?: string;
  schemaId?: number;
}
