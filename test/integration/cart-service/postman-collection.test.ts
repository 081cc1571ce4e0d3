import { join } from 'node:path';
import { expect } from 'chai';
import newman, { type NewmanRunSummary } from 'newman';
import { startTestCartService, type TestCartService } from './cart-service-harness';

const POSTMAN_DIR = join(__dirname, '..', '..', '..', 'postman');

describe('cart service: the Postman collection, run with newman', function () {
  this.timeout(120_000);
  let cart: TestCartService;

  before(async () => {
    cart = await startTestCartService();
  });

  after(async () => {
    await cart?.destroy();
  });

  it('passes every request and assertion against the running service', async () => {
    const summary = await new Promise<NewmanRunSummary>((resolve, reject) => {
      newman.run(
        {
          collection: join(POSTMAN_DIR, 'cart-service.postman_collection.json'),
          environment: join(POSTMAN_DIR, 'local.postman_environment.json'),
          envVar: [{ key: 'baseUrl', value: cart.baseUrl }],
          reporters: [],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
    const failures = summary.run.failures.map((failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`);
    expect(failures).to.deep.equal([]);
    expect(summary.run.stats.requests.total).to.be.greaterThan(25);
    expect(summary.run.stats.assertions.failed).to.equal(0);
  });
});
