export { createKafkaClient, type KafkaClientOptions } from './client';
export { createBatchingProducer, type BatchingProducer, type BatchingProducerOptions, type SendBatch } from './batching-producer';
export { ensureTopics, ORDER_TOPIC_PARTITIONS } from './topics';
export { createTransactionalSender, type TransactionalSender, type TransactionalSenderOptions } from './transactional-sender';
