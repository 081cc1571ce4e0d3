import { expect } from 'chai';
import pino from 'pino';
import { startOrderService, ORDER_DATABASE, type RunningOrderService } from '../../../src/order-service';
import { startTcpProxy } from '../../helpers/tcp-proxy';
import { waitFor } from '../../helpers/wait-for';
import { createTestDatabase, testConfig } from '../../helpers/test-env';

/** A start that fails (Kafka unreachable past the deadline) rejects and leaves nothing running behind it; one that meets Kafka again in time goes on. */
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
        kafkaStartDeadlineMs: 0,
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

  it('starts once Kafka answers again, when it was unreachable at first (a node lost while starting)', async () => {
    const config = testConfig();
    const [host = '127.0.0.1', port = '0'] = config.KAFKA_BROKERS.split(',')[0]!.split(':');
    // Only the bootstrap goes through the proxy: closed, Kafka is unreachable; open, the broker it names is reached directly.
    const proxy = await startTcpProxy({ host, port: Number(port) });
    await proxy.close();
    const db = await createTestDatabase(ORDER_DATABASE, config);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    let service: RunningOrderService | undefined;
    try {
      const starting = startOrderService({ ...config, KAFKA_BROKERS: `127.0.0.1:${proxy.port}` }, { port: 0, knex: db.knex, logger, retry: { initialMs: 100, maxMs: 500 }, kafkaOverrides: { retry: { retries: 1, initialRetryTime: 100 }, connectionTimeout: 500 } });
      await waitFor(() => lines.some((line) => line.includes('failed at start; trying again')), { what: 'a failed Kafka step retried' });
      await proxy.open();
      service = await starting;
      expect((await fetch(`http://127.0.0.1:${service.port}/ready`)).status, 'ready once started').to.equal(200);
    } finally {
      await service?.stop();
      await proxy.close();
      await db.destroy();
    }
  });
});
