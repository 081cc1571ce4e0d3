import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { createKafkaClient } from '../../../src/lib/kafka';
import { startOrderService, type RunningOrderService } from '../../../src/order-service';
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
    db = await createTestDatabase(config);
    const admin = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'dlq-too-large-test' }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: config.DEAD_LETTER_TOPIC, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4096' }] }], waitForLeaders: true });
    await admin.disconnect();
  });
  after(async () => {
    await service?.stop();
    await db?.destroy();
  });

  it('is sent without its value, saying why, and the good record behind it is applied', async () => {
    const producer = await createEventProducer(config);
    const deadLetters = await watchDeadLetters(config);
    try {
      // One key: one partition; the 64 KiB poison record first, a good order behind it.
      await producer.sendRaw('ORD-BIG', Buffer.alloc(64 * 1024, 'x'));
      const good = orderCreated('ORD-BIG');
      await producer.send([good]);
      service = await startOrderService(config, { ...FAST, knex: db.knex });

      await waitFor(async () => (await db.knex('order_events').where({ event_id: good.eventId }).first()) !== undefined, { what: 'the good record to be applied' });
      const [record] = await waitFor(() => (deadLetters.messages.length > 0 ? deadLetters.messages : undefined), { what: 'the dead letter' });
      expect(record?.value, 'sent without its value').to.equal(null);
      expect(header(record!, 'dlq-error-code')).to.equal('NOT_CONFLUENT_AVRO');
      expect(header(record!, 'dlq-value-omitted')).to.match(/Kafka refused the record/);
      expect(header(record!, 'dlq-record-id')).to.match(new RegExp(`^${config.ORDER_EVENTS_TOPIC}/\\d+/0$`));
    } finally {
      await deadLetters.stop();
      await producer.close();
    }
  });
});
