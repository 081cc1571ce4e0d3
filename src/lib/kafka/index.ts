export { createKafkaClient, type KafkaClientOptions } from './client';
export { createBatchingProducer, type BatchingProducer, type BatchingProducerOptions, type SendBatch } from './batching-producer';
