import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createWebhookSender } from '../../../src/notification-service/webhook-sender';

const SECRET = 'a-receiver-shared-secret-of-32ch';

/** A loopback receiver whose answer the test sets per path; `hang` never answers. */
async function receiverAnswering(answers: Record<string, { status: number; location?: string } | 'hang'>) {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      const answer = answers[req.url ?? ''] ?? { status: 204 };
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.location ? { location: answer.location } : {}).end(answer.status >= 300 ? 'nope' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    paths,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('webhook sender: one signed POST and what it came to', function () {
  this.timeout(30_000);
  let receiver: Awaited<ReturnType<typeof receiverAnswering>>;
  const send = (path: string, timeoutMs = 5_000) => createWebhookSender({ url: `${receiver.base}${path}`, secret: SECRET, timeoutMs }).send('n-1', '{"id":"n-1"}');

  before(async () => {
    receiver = await receiverAnswering({
      '/unavailable': { status: 503 },
      '/gone': { status: 410 },
      '/moved': { status: 302, location: '/elsewhere' },
      '/slow': 'hang',
    });
  });
  after(() => receiver.stop());

  it('delivers on a 2xx', async () => {
    const attempt = await send('/ok');
    expect(attempt.outcome).to.equal('delivered');
    expect(attempt.error).to.equal(undefined);
  });

  it('fails (to retry) on a 5xx, keeping the status and the start of the answer', async () => {
    expect(await send('/unavailable')).to.deep.include({ outcome: 'failed', error: 'HTTP 503: nope' });
  });

  it('is refused for good on a 4xx other than 408 and 429', async () => {
    expect(await send('/gone')).to.deep.include({ outcome: 'refused', error: 'HTTP 410: nope' });
  });

  it('does not follow a redirect, which would drop the body: it fails, to be retried', async () => {
    expect(await send('/moved')).to.deep.include({ outcome: 'failed', error: 'HTTP 302: nope' });
    expect(receiver.paths).to.not.include('/elsewhere');
  });

  it('fails when no answer comes within the timeout', async () => {
    expect(await send('/slow', 200)).to.deep.include({ outcome: 'failed', error: 'no answer within 200 ms' });
  });

  it('fails, naming why, when nothing listens at the URL', async () => {
    const closed = await receiverAnswering({});
    await closed.stop();
    const attempt = await createWebhookSender({ url: `${closed.base}/hook`, secret: SECRET, timeoutMs: 5_000 }).send('n-1', '{}');
    expect(attempt.outcome).to.equal('failed');
    expect(attempt.error).to.match(/ECONNREFUSED/);
  });
});
