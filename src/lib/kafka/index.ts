export { createKafkaClient, type KafkaClientOptions } from './client';
export { kafkaConnection, kafkaSecurity, type KafkaConnectionSettings, type KafkaSecurity } from './security';
export { ensureTopics, ORDER_TOPIC_PARTITIONS, TOPIC_NAME } from './topics';
export { createIdempotentSender, type IdempotentSender, type IdempotentSenderOptions, type TopicMessages } from './idempotent-sender';
export { isRecordRefused, kafkaError } from './kafka-errors';
export { headersAsText, restoreHeaders, storeHeaders, type StoredHeader } from './headers';
