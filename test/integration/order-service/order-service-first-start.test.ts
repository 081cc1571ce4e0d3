import { expect } from 'chai';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, orderCreated } from './order-service-fixtures';

describe('order service started before any order exists', function () {
  this.timeout(60_000);
  const config = testConfig();
  let db: TestDatabase;
  let service: RunningOrderService | undefined;
  let producer: Awaited<ReturnType<typeof createEventProducer>> | undefined;

  before(async () => {
    db = await createTestDatabase(ORDER_DATABASE, config);
  });

  after(async () => {
    await service?.stop();
    await producer?.close();
    await db?.destroy();
  });

  it('creates the events topic and the dead-letter topic, then applies the first order produced', async () => {
    const admin = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'first-start-test' }).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.to.include(config.ORDER_EVENTS_TOPIC);
      service = await startOrderService(config, { ...FAST, knex: db.knex });
      expect(await admin.listTopics()).to.include.members([config.ORDER_EVENTS_TOPIC, config.DEAD_LETTER_TOPIC]);
    } finally {
      await admin.disconnect();
    }

    producer = await createEventProducer(config);
    await producer.send([orderCreated('ORD-FIRST')]);
    const row = await waitFor(() => db.knex('orders').where({ order_id: 'ORD-FIRST' }).first(), { what: 'the first order to be applied' });
    expect(row).to.include({ order_id: 'ORD-FIRST', total_amount: '10.25', shipping_cost: '0.21' });
  });
});
