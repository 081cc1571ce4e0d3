import { expect } from 'chai';
import pino from 'pino';
import { startOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createTestDatabase, testConfig } from '../../helpers/test-env';

/** A start that fails (Kafka unreachable) rejects and leaves nothing running behind it. */
describe('order service: a failed start', function () {
  this.timeout(60_000);

  it('rejects, and its background schema registration stops retrying', async () => {
    // Nothing listens on port 9 of loopback: neither Kafka nor the registry answer.
    const config = { ...testConfig({ KAFKA_BROKERS: '127.0.0.1:9', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9/apis/ccompat/v7' }) };
    const db = await createTestDatabase(ORDER_DATABASE, config);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    try {
      const failure = await startOrderService(config, {
        port: 0,
        knex: db.knex,
        logger,
        retry: { initialMs: 50, maxMs: 100 },
        kafkaOverrides: { retry: { retries: 0 }, connectionTimeout: 500 },
      }).catch((error: unknown) => error);
      expect(failure, 'the start rejects').to.be.instanceOf(Error);
      const retriesSoFar = lines.filter((line) => line.includes('could not register the event schemas')).length;
      expect(retriesSoFar, 'the registration was retrying in the background').to.be.greaterThan(0);

      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const later = lines.filter((line) => line.includes('could not register the event schemas')).length;
      expect(later, 'no retry after the failed start').to.equal(retriesSoFar);
    } finally {
      await db.destroy();
    }
  });
});
