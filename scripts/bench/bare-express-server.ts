/**
 * The ceiling of `npm run bench:producer`: the least an Express 5 server must do for a
 * create-order request — read the JSON body with the project's own parser, as the cart does —
 * and nothing more: no validation, no Kafka, no database. Answers 201 with a small JSON body.
 *
 * Environment: BENCH_SERVER_PORT, HTTP_BODY_LIMIT (as the cart reads it).
 */
import { loadConfig } from '../../src/config';
import { success } from '../../src/lib/http';
import { jsonBody } from '../../src/lib/http/json-body';
import { benchServerPort, createBenchApp, serveUntilSignalled } from './bench-server';

function orderIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('orderId' in body)) return undefined;
  return typeof body.orderId === 'string' ? body.orderId : undefined;
}

async function main(): Promise<void> {
  const { HTTP_BODY_LIMIT } = loadConfig();
  const app = createBenchApp();
  app.use(jsonBody(HTTP_BODY_LIMIT));
  app.post('/api/create-order', (req, res) => {
    const body: unknown = req.body;
    res.status(201).json(success('order created', { orderId: orderIdOf(body) }));
  });
  await serveUntilSignalled(app, benchServerPort());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
