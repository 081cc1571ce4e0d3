import { expect } from 'chai';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Consumer } from 'kafkajs';
import { createKafkaClient } from '../../src/lib/kafka';
import { createTestDatabase, testConfig, uniqueSuffix, type TestDatabase } from '../helpers/test-env';
import { waitFor } from '../helpers/wait-for';
import { CART_DATABASE } from '../../src/cart-service';

const config = testConfig();

describe('the local stack', () => {
  describe('Kafka', () => {
    let consumer: Consumer | undefined;
    after(async () => consumer?.disconnect());

    it('delivers a produced message to a consumer group, key, value and headers intact', async () => {
      const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'stack-test' });
      const topic = `test-stack-${uniqueSuffix()}`;
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await admin.disconnect();

      const producer = kafka.producer({ idempotent: true });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: [{ key: 'ORDER-1', value: 'hello', headers: { 'event-type': 'Probe' } }] });
      await producer.disconnect();

      const received: Array<{ key: string; value: string; eventType: string }> = [];
      consumer = kafka.consumer({ groupId: `test-stack-${uniqueSuffix()}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: String(message.key), value: String(message.value), eventType: String(message.headers?.['event-type']) });
        },
      });
      await waitFor(() => received.length > 0, { what: 'the produced message' });
      expect(received).to.deep.equal([{ key: 'ORDER-1', value: 'hello', eventType: 'Probe' }]);
    });
  });

  describe('the schema registry', () => {
    it('registers an Avro schema and serves it back by id, encoding and decoding in wire format', async () => {
      const registry = new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL });
      const subject = `test-stack-${uniqueSuffix()}-io.orderflow.Probe`;
      const schema = JSON.stringify({ type: 'record', name: 'Probe', namespace: 'io.orderflow', fields: [{ name: 'n', type: 'int' }] });

      const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject });
      const again = await registry.register({ type: SchemaType.AVRO, schema }, { subject });
      expect(again.id, 'registering the same schema twice is idempotent').to.equal(id);
      expect(await registry.getLatestSchemaId(subject)).to.equal(id);

      const bytes = await registry.encode(id, { n: 42 });
      expect(bytes[0], 'magic byte').to.equal(0);
      expect(bytes.readInt32BE(1), 'schema id').to.equal(id);
      // A second client with an empty cache must fetch the schema by id from the registry to decode.
      const decoded = (await new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL }).decode(bytes)) as object;
      expect({ ...decoded }).to.deep.equal({ n: 42 });
    });
  });

  describe('PostgreSQL', () => {
    let database: TestDatabase | undefined;
    after(async () => database?.destroy());

    it('runs the Knex migrations and answers queries on the migrated tables', async () => {
      database = await createTestDatabase(CART_DATABASE, config);
      const { knex } = database;
      const applied = await knex('knex_migrations').pluck('name');
      expect(applied).to.include('20261121000100_create_cart_orders.ts');

      await knex('cart_orders').insert({ order_id: 'ORDER-1', status: 'pending' });
      const rows = await knex('cart_orders').select('order_id', 'status');
      expect(rows).to.deep.equal([{ order_id: 'ORDER-1', status: 'pending' }]);
    });
  });
});
