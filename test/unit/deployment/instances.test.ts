import { expect } from 'chai';
import { loadConfig } from '../../../src/config';
import { INSTANCE_PORT_STEP, parseInstanceCounts, planInstances } from '../../../scripts/instances';

describe('npm start --instances', () => {
  const config = loadConfig({});

  it('reads counts per service', () => {
    expect([...parseInstanceCounts('cart-service=2, order-service=3')]).to.deep.equal([
      ['cart-service', 2],
      ['order-service', 3],
    ]);
  });

  for (const [spec, message] of [
    ['cart-service', "'cart-service' is not <service>=<count>"],
    ['cart=2', "unknown service 'cart'"],
    ['cart-service=0', 'the count must be from 1 to 9'],
    ['cart-service=10', 'the count must be from 1 to 9'],
    ['cart-service=2,cart-service=3', 'cart-service is named twice'],
  ] as const) {
    it(`refuses '${spec}' saying why`, () => {
      expect(() => parseInstanceCounts(spec)).to.throw(message);
    });
  }

  it('runs every service once by default, each instance of a service on its own port', () => {
    const plan = planInstances(config, parseInstanceCounts('cart-service=2,order-service=3'));
    expect(plan.map(({ service, port }) => `${service}:${port}`)).to.deep.equal([
      'cart-service:8000',
      `cart-service:${8000 + INSTANCE_PORT_STEP}`,
      'order-service:8001',
      `order-service:${8001 + INSTANCE_PORT_STEP}`,
      `order-service:${8001 + 2 * INSTANCE_PORT_STEP}`,
      'inventory-service:8002',
      'notification-service:8003',
    ]);
    expect(plan[1]?.env).to.deep.equal({ CART_SERVICE_PORT: String(8000 + INSTANCE_PORT_STEP) });
  });

  it('refuses a plan in which two instances would share a port', () => {
    const crowded = loadConfig({}, { ORDER_SERVICE_PORT: String(8000 + INSTANCE_PORT_STEP) });
    expect(() => planInstances(crowded, parseInstanceCounts('cart-service=2'))).to.throw(`would both listen on port ${8000 + INSTANCE_PORT_STEP}`);
  });

  it('refuses a port above 65535', () => {
    const high = loadConfig({}, { CART_SERVICE_PORT: '65530' });
    expect(() => planInstances(high, parseInstanceCounts('cart-service=2'))).to.throw('above 65535');
  });
});
