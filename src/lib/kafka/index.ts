export { createKafkaClient, type KafkaClientOptions } from './client';
