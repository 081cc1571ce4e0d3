export { createKafkaClient, type KafkaClientOptions } from './client';
export { ensureTopics, ORDER_TOPIC_PARTITIONS, TOPIC_NAME } from './topics';
export { createIdempotentSender, type IdempotentSender, type IdempotentSenderOptions, type TopicMessages } from './idempotent-sender';
export { isRecordRefused, kafkaError } from './kafka-errors';
export { headersAsText, restoreHeaders, storeHeaders, type StoredHeader } from './headers';
