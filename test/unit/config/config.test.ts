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
    expect(() => loadConfig({}, { INVENTORY_DB_SCHEMA: 'order_service' })).to.throw("ORDER_DB_SCHEMA and INVENTORY_DB_SCHEMA are both 'order_service'");
    expect(() => loadConfig({}, { INVENTORY_EVENTS_TOPIC: 'order-events' })).to.throw("ORDER_EVENTS_TOPIC and INVENTORY_EVENTS_TOPIC are both 'order-events'");
    for (const bad of ['public', 'pg_catalog', 'information_schema', 'Cart', 'cart-service', '1cart', '', 'x'.repeat(64)]) {
      expect(() => loadConfig({}, { CART_DB_SCHEMA: bad }), bad).to.throw(/CART_DB_SCHEMA/);
    }
  });

  it('gives the notification service its own port, schema, consumer groups and dead-letter topic by default', () => {
    const defaults = loadConfig({}, {});
    expect(defaults.NOTIFICATION_SERVICE_PORT).to.equal(8003);
    expect(defaults.NOTIFICATION_DB_SCHEMA).to.equal('notification_service');
    expect(defaults.NOTIFICATION_CONSUMER_GROUP_ID).to.equal('orderflow-notification-service');
    expect(defaults.NOTIFICATION_DEAD_LETTER_TOPIC).to.equal('notification-service.dlq');
    expect(() => loadConfig({}, { NOTIFICATION_DB_SCHEMA: 'public' })).to.throw(/NOTIFICATION_DB_SCHEMA/);
  });

  it('leaves webhooks off by default: no URL, no secret, a 5 s timeout', () => {
    const defaults = loadConfig({}, {});
    expect(defaults.WEBHOOK_URL).to.equal(undefined);
    expect(defaults.WEBHOOK_SECRET).to.equal(undefined);
    expect(defaults.WEBHOOK_TIMEOUT_MS).to.equal(5_000);
    expect(loadConfig({ WEBHOOK_URL: '  ' }, {}).WEBHOOK_URL, 'a blank variable is unset').to.equal(undefined);
  });

  it('turns webhooks on with an http(s) URL and a secret of at least 16 characters', () => {
    const config = loadConfig({}, { WEBHOOK_URL: 'https://hooks.example.com/orderflow', WEBHOOK_SECRET: 's'.repeat(16) });
    expect(config.WEBHOOK_URL).to.equal('https://hooks.example.com/orderflow');
    expect(config.WEBHOOK_SECRET).to.equal('s'.repeat(16));
    expect(loadConfig({}, { WEBHOOK_URL: 'http://127.0.0.1:9000/hook', WEBHOOK_SECRET: 's'.repeat(16) }).WEBHOOK_URL).to.equal('http://127.0.0.1:9000/hook');
  });

  it('refuses a webhook URL that is not http(s), naming WEBHOOK_URL', () => {
    for (const bad of ['ftp://hooks.example.com/x', 'hooks.example.com/x', 'not a url']) {
      expect(() => loadConfig({}, { WEBHOOK_URL: bad, WEBHOOK_SECRET: 's'.repeat(16) }), bad).to.throw(/WEBHOOK_URL='.*': expected an http or https URL/);
    }
  });

  it('refuses a webhook URL without a secret, saying the secret is required', () => {
    expect(() => loadConfig({}, { WEBHOOK_URL: 'https://hooks.example.com/orderflow' })).to.throw(/WEBHOOK_SECRET is required when WEBHOOK_URL is set/);
  });

  it('refuses a short secret without ever printing it', () => {
    let message = '';
    try {
      loadConfig({}, { WEBHOOK_URL: 'https://hooks.example.com/orderflow', WEBHOOK_SECRET: 'hunter2' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.match(/WEBHOOK_SECRET=\(hidden\): must be at least 16 characters/);
    expect(message).to.not.contain('hunter2');
  });

  it('refuses a bad DATABASE_URL without printing its password, even one holding "/" or "@"', () => {
    for (const password of ['s3cret-pass', 'pa/ss-word', 'p@ss:w/rd']) {
      let message = '';
      try {
        loadConfig({}, { DATABASE_URL: `postgres://orderflow:${password}@db host/orderflow` });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, password).to.match(/DATABASE_URL='postgres:\/\/orderflow:\*\*\*@/);
      expect(message, password).to.not.contain(password);
    }
  });

  it('refuses a webhook timeout outside 100 ms to 60 s', () => {
    expect(loadConfig({}, { WEBHOOK_TIMEOUT_MS: '250' }).WEBHOOK_TIMEOUT_MS).to.equal(250);
    for (const bad of ['0', '99', '60001', 'soon']) expect(() => loadConfig({}, { WEBHOOK_TIMEOUT_MS: bad }), bad).to.throw(/WEBHOOK_TIMEOUT_MS/);
  });
});
