import { expect } from 'chai';
import { loadConfig } from '../../../src/config';

describe('configuration', () => {
  it('reads durations with a unit, and refuses a dedup window under a day, naming the setting', () => {
    expect(loadConfig({}, { DEDUP_WINDOW: '7d' }).DEDUP_WINDOW).to.equal(7 * 86_400);
    expect(loadConfig({}, { DEDUP_WINDOW: '36h' }).DEDUP_WINDOW).to.equal(36 * 3_600);
    expect(() => loadConfig({}, { DEDUP_WINDOW: '1h' })).to.throw(/DEDUP_WINDOW.*at least 1d/s);
    expect(() => loadConfig({}, { DEDUP_WINDOW: 'soon' })).to.throw(/DEDUP_WINDOW/);
  });

  it('keeps dead letters 30 days by default, and refuses a retention under a day, naming the setting', () => {
    expect(loadConfig({}, {}).DEAD_LETTER_RETENTION).to.equal(30 * 86_400);
    expect(loadConfig({}, { DEAD_LETTER_RETENTION: '90d' }).DEAD_LETTER_RETENTION).to.equal(90 * 86_400);
    expect(() => loadConfig({}, { DEAD_LETTER_RETENTION: '12h' })).to.throw(/DEAD_LETTER_RETENTION.*at least 1d/s);
  });

  it('waits 20 ms per consumer fetch by default, and refuses a wait that is not a whole number from 1 to 5000', () => {
    expect(loadConfig({}, {}).CONSUMER_FETCH_MAX_WAIT_MS).to.equal(20);
    expect(loadConfig({}, { CONSUMER_FETCH_MAX_WAIT_MS: '250' }).CONSUMER_FETCH_MAX_WAIT_MS).to.equal(250);
    for (const bad of ['0', '5001', '2.5', 'soon']) expect(() => loadConfig({}, { CONSUMER_FETCH_MAX_WAIT_MS: bad }), bad).to.throw(/CONSUMER_FETCH_MAX_WAIT_MS/);
  });

  it("gives each service a schema of its own by default, and refuses public, system schemas and names that would need quoting", () => {
    const defaults = loadConfig({}, {});
    expect([defaults.CART_DB_SCHEMA, defaults.ORDER_DB_SCHEMA]).to.deep.equal(['cart_service', 'order_service']);
    expect(loadConfig({}, { ORDER_DB_SCHEMA: 'orders_eu' }).ORDER_DB_SCHEMA).to.equal('orders_eu');
    for (const bad of ['public', 'pg_catalog', 'information_schema', 'Cart', 'cart-service', '1cart', '', 'x'.repeat(64)]) {
      expect(() => loadConfig({}, { CART_DB_SCHEMA: bad }), bad).to.throw(/CART_DB_SCHEMA/);
    }
  });
});
