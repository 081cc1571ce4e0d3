import { expect } from 'chai';
import type { Admin } from 'kafkajs';
import type { Config } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { createMetrics } from '../../../src/lib/metrics';
import { createOrderRepository, type OrderRepository, ORDER_DATABASE } from '../../../src/order-service';
import { createOrderConsumer, type OrderConsumer, type OrderEventDecoder } from '../../../src/order-service/consumer';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, header, orderCreated, watchDeadLetters } from './order-service-fixtures';

/**
 * A poison record and a good one in the same batch, with the batch's database transaction
 * failing after the poison was already dead-lettered: the retry (transient failure) or the
 * one-by-one isolation (any other failure) processes the poison again, and must not send it
 * to the dead-letter topic a second time.
 */
describe('order service: a poison record is dead-lettered once when its batch is retried or isolated', function () {
  this.timeout(90_000);

  async function runCase(failure: () => Error, failures: number): Promise<void> {
    const config: Config = testConfig();
    const db: TestDatabase = await createTestDatabase(ORDER_DATABASE, config);
    const producer = await createEventProducer(config);
    const admin: Admin = producer.kafka.admin();
    let consumer: OrderConsumer | undefined;
    let deadLetters: Awaited<ReturnType<typeof watchDeadLetters>> | undefined;
    try {
      await admin.connect();
      // Same key, same partition, produced before the consumer starts: one fetch, one batch.
      await producer.sendRaw('ORD-ONCE', Buffer.from('not avro'));
      await producer.send([orderCreated('ORD-ONCE')]);

      const repository = createOrderRepository({ knex: db.knex });
      let left = failures;
      const failing: OrderRepository = {
        ...repository,
        async inBatchTransaction(lock, work) {
          if (left > 0) {
            left -= 1;
            throw failure();
          }
          return repository.inBatchTransaction(lock, work);
        },
      };
      consumer = createOrderConsumer({
        kafka: producer.kafka,
        admin,
        topic: config.ORDER_EVENTS_TOPIC,
        deadLetterTopic: config.DEAD_LETTER_TOPIC,
        groupId: config.CONSUMER_GROUP_ID,
        repository: failing,
        decoder: producer.serde as OrderEventDecoder,
        metrics: createMetrics('order-service'),
        logger: createLogger('silent'),
        retry: FAST.retry,
        gaugeIntervalMs: 0,
      });
      await consumer.start();

      await waitFor(async () => (await db.knex('orders').where({ order_id: 'ORD-ONCE' }).first()) !== undefined, { what: 'the good record to be applied' });
      expect(left, 'the injected failures all happened').to.equal(0);
      // The dead-lettering of a batch happens before its transaction: by now every copy has been sent.
      const [end] = await admin.fetchTopicOffsets(config.DEAD_LETTER_TOPIC);
      expect(end?.high, 'records in the dead-letter topic').to.equal('1');

      deadLetters = await watchDeadLetters(config);
      const [record] = await waitFor(() => (deadLetters!.messages.length > 0 ? deadLetters!.messages : undefined), { what: 'the dead letter' });
      expect(header(record!, 'dlq-error-code')).to.equal('NOT_CONFLUENT_AVRO');
      expect(header(record!, 'dlq-record-id')).to.match(new RegExp(`^${config.ORDER_EVENTS_TOPIC}/\\d+/0$`));
    } finally {
      await consumer?.stop();
      await deadLetters?.stop();
      await admin.disconnect();
      await producer.close();
      await db.destroy();
    }
  }

  it('after transient failures of the transaction (the batch is retried whole)', async () => {
    await runCase(() => new Error('Connection terminated unexpectedly'), 2);
  });

  it('after a non-transient failure of the transaction (the batch is split and applied record by record)', async () => {
    await runCase(() => new Error('a bug in the batch'), 1);
  });
});
