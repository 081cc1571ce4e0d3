export { consumerLag, refreshConsumerLag, everyInterval, type PartitionLag } from './consumer-lag';
export { createDeadLetterPublisher, deadLetterHeaders, deadLetterRecordId, DLQ_HEADERS, RECORD_ID_PATTERN, type DeadLetterPublisher } from './dead-letter-publisher';
export { createIsolatingProcessor, HandBackBatch, type ApplyRecords, type IsolatingProcessor } from './isolating-processor';
export { createIsolationPolicy, type IsolationPolicy, type IsolationVerdict } from './isolation-policy';
export { createKafkaRunner, type KafkaRunner, type KafkaRunnerOptions } from './kafka-runner';
export type { PoisonRecord } from './poison-record';
export { CONSUMER_LAG_INTERVAL_MS, createEventConsumer, type EventConsumer, type EventConsumerOptions } from './event-consumer';
export { createRecordDecoder, type DecodedRecords, type EventCheck, type EventDecoder, type EventPosition } from './record-decoder';
