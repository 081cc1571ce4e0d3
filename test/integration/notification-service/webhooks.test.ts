import { createHmac, timingSafeEqual } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { NOTIFICATION_DATABASE, OPENAPI_DOCUMENT, startNotificationService, type RunningNotificationService } from '../../../src/notification-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { createEventProducer, orderCreated, statusUpdated } from '../order-service/order-service-fixtures';
import { startWebhookReceiver, type ReceivedWebhook } from './notification-fixtures';

const SECRET = 'a-receiver-shared-secret-of-32ch';
/** Short webhook backoff, so retries come within the test's patience. */
const FAST = { port: 0, retry: { initialMs: 100, maxMs: 1_000 }, webhookRetry: { initialMs: 50, maxMs: 200 } } as const;

interface Delivery {
  state: string;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
}
interface Notification {
  id: string;
  orderId: string;
  kind: string;
  message: string;
  delivery: Delivery;
}

/** The receiver's check, as a receiver would write it: HMAC-SHA256 over "<timestamp>.<raw body>", compared in constant time. */
function signatureVerifies(request: ReceivedWebhook): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(`${String(request.headers['x-orderflow-timestamp'])}.${request.rawBody}`).digest('hex')}`);
  const given = Buffer.from(String(request.headers['x-orderflow-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The body a receiver gets, as the OpenAPI document's webhooks describe it. */
const documentedBody = (() => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(OPENAPI_DOCUMENT, 'openapi.json');
  return ajv.compile({ $ref: 'openapi.json#/components/schemas/WebhookNotification' });
})();

const succeeded = (requests: readonly ReceivedWebhook[]) => requests.filter((request) => request.status >= 200 && request.status < 300).length;

describe('notification service webhooks: signed POSTs to a real receiver, retried with backoff, delivered once', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  const services: RunningNotificationService[] = [];
  let orders: Awaited<ReturnType<typeof createEventProducer>>;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  const api = async (path: string) => (await fetch(`http://127.0.0.1:${services[0]?.port ?? 0}${path}`)).json() as Promise<{ data: { notifications: Notification[] } }>;
  const notificationsOf = async (orderId: string) => (await api(`/api/notifications?orderId=${orderId}&pageSize=100`)).data.notifications;
  /** Waits until `count` notifications of the order have left 'pending', and answers them. */
  const settled = (orderId: string, count: number): Promise<Notification[]> =>
    waitFor(async () => {
      const found = await notificationsOf(orderId);
      return found.length >= count && found.every((note) => note.delivery.state !== 'pending') ? found : undefined;
    }, { what: `${count} settled webhook(s) of ${orderId}` });
  const metricsText = async () => (await fetch(`http://127.0.0.1:${services[0]?.port ?? 0}/metrics`)).text();
  const counted = (text: string, outcome: string): number => Number(new RegExp(`^orderflow_webhook_deliveries_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

  before(async () => {
    receiver = await startWebhookReceiver(({ notification }, earlier) => {
      if (notification.orderId.startsWith('WH-FLAKY') && earlier < 2) return 503;
      if (notification.orderId.startsWith('WH-REFUSED')) return 410;
      return 204;
    });
    config = testConfig({ WEBHOOK_URL: receiver.url, WEBHOOK_SECRET: SECRET });
    db = await createTestDatabase(NOTIFICATION_DATABASE, config);
    orders = await createEventProducer(config);
    services.push(await startNotificationService(config, { ...FAST, knex: db.knex }));
  });
  after(async () => {
    for (const service of services) await service.stop();
    await orders?.close();
    await receiver?.stop();
    await db?.destroy();
  });

  it('POSTs each new notification signed with the secret over its timestamp and raw body, naming it in the id header', async () => {
    await orders.send([orderCreated('WH-1'), statusUpdated('WH-1', 'confirmed', 'pending')]);
    const notes = await settled('WH-1', 2);
    expect(notes.map((note) => note.delivery.state)).to.deep.equal(['delivered', 'delivered']);
    for (const note of notes) {
      const [request, ...more] = receiver.of(note.id);
      expect(more, 'one POST each').to.have.length(0);
      expect(request?.headers['content-type']).to.equal('application/json');
      expect(signatureVerifies(request as ReceivedWebhook), 'the signature verifies').to.equal(true);
      const timestamp = Number(request?.headers['x-orderflow-timestamp']);
      expect(Number.isInteger(timestamp) && Math.abs(timestamp - Date.now() / 1000) < 600, 'a Unix time in seconds, near now').to.equal(true);
      const body: unknown = JSON.parse(request?.rawBody ?? '{}');
      expect(body).to.include({ id: note.id, orderId: 'WH-1', kind: note.kind, message: note.message });
      expect(documentedBody(body), JSON.stringify(documentedBody.errors)).to.equal(true);
    }
  });

  it('refuses a forged body: the signature of one notification does not verify for another body', async () => {
    const [note] = await settled('WH-1', 2);
    const request = receiver.of(note?.id ?? '')[0] as ReceivedWebhook;
    expect(signatureVerifies({ ...request, rawBody: request.rawBody.replace('WH-1', 'WH-X') })).to.equal(false);
  });

  it('retries a receiver that fails twice, then delivers exactly once, and the failures show in /metrics', async () => {
    await orders.send([orderCreated('WH-FLAKY-1')]);
    const [note] = await settled('WH-FLAKY-1', 1);
    expect(note?.delivery).to.include({ state: 'delivered', attempts: 3, lastError: null });
    const requests = receiver.of(note?.id ?? '');
    expect(requests.map((request) => request.status)).to.deep.equal([503, 503, 204]);
    expect(requests.every(signatureVerifies), 'every attempt is signed anew').to.equal(true);
    const text = await metricsText();
    expect(counted(text, 'failed')).to.be.at.least(2);
    expect(counted(text, 'delivered')).to.be.at.least(1);
    expect(text).to.match(/^orderflow_webhook_pending_notifications\{service="notification-service"\} \d+$/m);
  });

  it('gives up at once on a 4xx refusal, recording why, and counts it as gave_up', async () => {
    await orders.send([orderCreated('WH-REFUSED-1')]);
    const [note] = await settled('WH-REFUSED-1', 1);
    expect(note?.delivery).to.include({ state: 'gave_up', attempts: 1, deliveredAt: null });
    expect(note?.delivery.lastError).to.equal('HTTP 410: refused with 410');
    expect(receiver.of(note?.id ?? '')).to.have.length(1);
    expect(counted(await metricsText(), 'gave_up')).to.be.at.least(1);
  });

  it('delivers each notification successfully once when two instances share the work', async () => {
    services.push(await startNotificationService(config, { ...FAST, knex: db.knex }));
    const orderIds = Array.from({ length: 30 }, (_, index) => `WH-SHARED-${index}`);
    await orders.send(orderIds.flatMap((orderId) => [orderCreated(orderId), statusUpdated(orderId, 'confirmed', 'pending')]));
    const notes = (await Promise.all(orderIds.map((orderId) => settled(orderId, 2)))).flat();
    expect(notes).to.have.length(60);
    expect(notes.filter((note) => note.delivery.state === 'delivered')).to.have.length(60);
    for (const note of notes) expect(succeeded(receiver.of(note.id)), note.id).to.equal(1);
  });

  it('never answered a notification 2xx twice, over everything this receiver got', () => {
    const ids = new Set(receiver.received.map((request) => String(request.headers['x-orderflow-notification-id'])));
    expect(ids.size).to.be.at.least(64);
    for (const id of ids) expect(succeeded(receiver.of(id)), id).to.be.at.most(1);
  });
});
