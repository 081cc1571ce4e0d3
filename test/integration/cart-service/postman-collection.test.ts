import { join } from 'node:path';
import { expect } from 'chai';
import newman, { type NewmanRunSummary } from 'newman';
import { createAccessSchema, type TestAccessSchema, type TestKey } from '../../helpers/access';
import { startTestCartService, type TestCartService } from './cart-service-harness';

const POSTMAN_DIR = join(__dirname, '..', '..', '..', 'postman');

/** Runs the cart's collection with the shipped environment against `baseUrl`, with `apiKey` when given. */
async function runCollection(baseUrl: string, apiKey?: string): Promise<NewmanRunSummary> {
  return new Promise<NewmanRunSummary>((resolve, reject) => {
    newman.run(
      {
        collection: join(POSTMAN_DIR, 'cart-service.postman_collection.json'),
        environment: join(POSTMAN_DIR, 'local.postman_environment.json'),
        envVar: [{ key: 'baseUrl', value: baseUrl }, ...(apiKey === undefined ? [] : [{ key: 'apiKey', value: apiKey }])],
        reporters: [],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

function expectAllPassed(summary: NewmanRunSummary): void {
  const failures = summary.run.failures.map((failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`);
  expect(failures).to.deep.equal([]);
  expect(summary.run.stats.requests.total).to.be.greaterThan(25);
  expect(summary.run.stats.assertions.failed).to.equal(0);
}

describe('cart service: the Postman collection, run with newman', function () {
  this.timeout(120_000);

  describe('open (no API key exists)', () => {
    let cart: TestCartService;
    before(async () => {
      cart = await startTestCartService();
    });
    after(async () => {
      await cart?.destroy();
    });

    it('passes every request and assertion against the running service', async () => {
      expectAllPassed(await runCollection(cart.baseUrl));
    });
  });

  describe('with API keys, the environment given a writer key', () => {
    let access: TestAccessSchema;
    let cart: TestCartService;
    let writer: TestKey;
    before(async () => {
      access = await createAccessSchema();
      // Before the start: the service reads its keys as it starts.
      writer = await access.createKey('writer', 'postman');
      cart = await startTestCartService({ overrides: { ACCESS_DB_SCHEMA: access.schema } });
    });
    after(async () => {
      await cart?.destroy();
      await access?.destroy();
    });

    it('passes every request and assertion, each sent with the key as Bearer', async () => {
      const ready = await fetch(`${cart.baseUrl}/ready`);
      expect(((await ready.json()) as { data: { auth: string } }).data.auth, 'authentication is on').to.equal('keys');
      expectAllPassed(await runCollection(cart.baseUrl, writer.key));
      // Without the key the same collection is refused: the key is what let it through.
      const refused = await runCollection(cart.baseUrl);
      expect(refused.run.stats.assertions.failed, 'assertions failed without a key').to.be.greaterThan(0);
    });
  });
});
