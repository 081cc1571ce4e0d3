import type { Config } from '../../../src/config';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createInventoryEventSerde, type DecodedInventoryEvent } from '../../../src/lib/registry';

/** An inventory event as read back from the topic: decoded, with its key and partition. */
export type SeenAnswer = DecodedInventoryEvent & { key: string; partition: number; offset: string };

/** Reads INVENTORY_EVENTS_TOPIC from the beginning, decoding every record with the inventory events' serde. */
export async function watchInventoryEvents(config: Config): Promise<{ seen: SeenAnswer[]; ofOrder(orderId: string): SeenAnswer[]; stop(): Promise<void> }> {
  const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'inventory-test-reader' });
  const serde = createInventoryEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.INVENTORY_EVENTS_TOPIC });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: config.INVENTORY_EVENTS_TOPIC, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `${config.INVENTORY_CONSUMER_GROUP_ID}-reader` });
  const seen: SeenAnswer[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: config.INVENTORY_EVENTS_TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const decoded = await serde.decode(message.value ?? Buffer.alloc(0));
      seen.push({ ...decoded, key: message.key?.toString() ?? '', partition, offset: message.offset });
    },
  });
  return {
    seen,
    ofOrder: (orderId) => seen.filter((answer) => answer.event.orderId === orderId),
    stop: () => consumer.disconnect(),
  };
}
