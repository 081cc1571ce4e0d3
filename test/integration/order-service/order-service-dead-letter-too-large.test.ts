import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { createKafkaClient } from '../../../src/lib/kafka';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, header, orderCreated, watchDeadLetters } from './order-service-fixtures';

/**
 * A poison record larger than the dead-letter topic accepts (its max.message.bytes is smaller
 * than the source topic's): the dead letter goes without its value, its headers say why, and
 * the partition moves on instead of stalling on a send that can never succeed.
 */
describe('order service: a dead letter larger than the dead-letter topic accepts', function () {
  this.timeout(90_000);
  let config: Config;
  let db: TestDatabase;
  let service: RunningOrderService | undefined;

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    const admin = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'dlq-too-large-test' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: config.DEAD_LETTER_TOPIC, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4096' }] }], waitForLeaders: true });
    await admin.disconnect();
  });
  after(async () => {
    await service?.stop();
    await db?.destroy();
  });

  it('goes without its value, saying why, each one once, and the good record behind them is applied', async () => {
    const producer = await createEventProducer(config);
    const deadLetters = await watchDeadLetters(config);
    try {
      // One key: one partition, one batch; two 64 KiB poison records first (sent together, refused
      // together, then one by one), a good order behind them.
      await producer.sendRaw('ORD-BIG', Buffer.alloc(64 * 1024, 'x'));
      await producer.sendRaw('ORD-BIG', Buffer.alloc(64 * 1024, 'y'));
      const good = orderCreated('ORD-BIG');
      await producer.send([good]);
      service = await startOrderService(config, { ...FAST, knex: db.knex });

      await waitFor(async () => (await db.knex('order_events').where({ event_id: good.eventId }).first()) !== undefined, { what: 'the good record to be applied' });
      const records = await waitFor(() => (deadLetters.messages.length >= 2 ? deadLetters.messages : undefined), { what: 'both dead letters' });
      expect(records.map((record) => header(record, 'dlq-record-id')), 'each once, in order').to.deep.equal([0, 1].map((offset) => `${config.ORDER_EVENTS_TOPIC}/${header(records[0]!, 'dlq-source-partition')}/${offset}`));
      for (const record of records) {
        expect(record.value, 'sent without its value').to.equal(null);
        expect(header(record, 'dlq-error-code')).to.equal('NOT_CONFLUENT_AVRO');
        expect(header(record, 'dlq-value-omitted')).to.match(/Kafka refused the record/);
      }
    } finally {
      await deadLetters.stop();
      await producer.close();
    }
  });
});
