export { createKafkaClient, type KafkaClientOptions } from './client';
export { ensureTopics, ORDER_TOPIC_PARTITIONS } from './topics';
export { createTransactionalSender, type TransactionalSender, type TransactionalSenderOptions } from './transactional-sender';
