import { expect } from 'chai';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { Config } from '../../../src/config';
import { Decimal } from '../../../src/domain';
import { INVENTORY_DATABASE, startInventoryService, type RunningInventoryService } from '../../../src/inventory-service';
import { createKafkaClient } from '../../../src/lib/kafka';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { createEventProducer, orderCreated } from '../order-service/order-service-fixtures';
import { watchInventoryEvents } from './inventory-fixtures';

/** Far below any answer's size: Kafka refuses every send to the answers' topic until it is raised. */
const REFUSING_MAX_MESSAGE_BYTES = '10';

/**
 * Kafka refusing the answers after the transaction that decided them committed: the order event
 * is neither dead-lettered nor decided again, and once Kafka takes records again the answer goes
 * out with the id it was recorded under.
 */
describe('inventory service: Kafka refuses its answers after the decision committed', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  let admin: Admin;
  let service: RunningInventoryService;

  const metric = async (name: string, labels: string): Promise<number> => {
    const text = await service.metrics.registry.metrics();
    const line = text.split('\n').find((entry) => entry.startsWith(`${name}{`) && entry.includes(labels));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  };

  before(async () => {
    config = testConfig();
    admin = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'answers-refused-test' }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: config.INVENTORY_EVENTS_TOPIC, numPartitions: 3, configEntries: [{ name: 'max.message.bytes', value: REFUSING_MAX_MESSAGE_BYTES }] }],
      waitForLeaders: true,
    });
    db = await createTestDatabase(INVENTORY_DATABASE, config);
    await db.knex('stock').insert({ item_id: 'REFUSED-ITEM', available: 5 });
    service = await startInventoryService(config, { port: 0, retry: { initialMs: 100, maxMs: 500 }, knex: db.knex });
  });
  after(async () => {
    await service?.stop();
    await admin?.disconnect();
    await db?.destroy();
  });

  it('retries the batch, dead-letters nothing, reserves once, and sends the recorded answer once Kafka takes it', async () => {
    const answers = await watchInventoryEvents(config);
    const producer = await createEventProducer(config);
    try {
      const order = orderCreated('REFUSED-1', { items: [{ itemId: 'REFUSED-ITEM', quantity: 2, price: new Decimal('1.00') }] });
      await producer.send([order]);
      const recorded = await waitFor(() => db.knex('answers').where({ causation_event_id: order.eventId }).first('event_id') as Promise<{ event_id: string } | undefined>, {
        what: 'the decision committed',
      });
      await waitFor(async () => (await metric('orderflow_events_produced_total', 'outcome="failed"')) >= 3, { timeoutMs: 30_000, what: 'three refused sends' });
      expect(answers.seen, 'nothing reached the topic').to.deep.equal([]);
      expect(await metric('orderflow_dead_letters_total', ''), 'nothing dead-lettered').to.equal(0);
      expect(await db.knex('stock').where({ item_id: 'REFUSED-ITEM' }).first('available', 'reserved'), 'reserved once, retries and all').to.deep.equal({ available: 3, reserved: 2 });

      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: config.INVENTORY_EVENTS_TOPIC, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }],
      });
      const [answer] = await waitFor(() => (answers.seen.length > 0 ? answers.seen : undefined), { timeoutMs: 60_000, what: 'the answer once Kafka takes it' });
      expect(answer?.type).to.equal('InventoryReserved');
      expect(answer?.event.eventId, 'the id it was recorded under').to.equal(recorded.event_id);
      expect(await db.knex('answers').count({ n: '*' }).first(), 'decided once').to.deep.equal({ n: '1' });
      expect(await db.knex('stock').where({ item_id: 'REFUSED-ITEM' }).first('available', 'reserved')).to.deep.equal({ available: 3, reserved: 2 });
    } finally {
      await producer.close();
      await answers.stop();
    }
  });
});
