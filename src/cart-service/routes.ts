import type { Express, Request } from 'express';
import { AppError } from '../errors';
import { success } from '../lib/http';
import { sendAnswer, type Answer } from './answers';
import type { CartOrderRecord } from './cart-order-repository';
import type { WriteRequest } from './write-and-answer';

export interface CartRoutesDeps {
  createOrder(request: Omit<WriteRequest, 'operation'>): Promise<Answer>;
  updateOrder(request: Omit<WriteRequest, 'operation'>): Promise<Answer>;
  findOrder(orderId: string): Promise<(CartOrderRecord & { published: boolean }) | undefined>;
}

const writeRequest = (req: Request) => ({ body: req.body as unknown, idempotencyKey: req.get('Idempotency-Key') });

/** The producer API: parse, call the use case, answer. Errors go to the shared handler. */
export function mountCartRoutes(app: Express, { createOrder, updateOrder, findOrder }: CartRoutesDeps): void {
  app.post('/api/create-order', async (req, res) => {
    sendAnswer(res, await createOrder(writeRequest(req)));
  });

  app.put('/api/update-order', async (req, res) => {
    sendAnswer(res, await updateOrder(writeRequest(req)));
  });

  app.get('/api/orders/:orderId', async (req, res) => {
    const { orderId } = req.params;
    const found = await findOrder(orderId);
    if (!found) throw new AppError('NOT_FOUND', `order '${orderId}' is not known`);
    const lastEvent = found.lastEvent ? { ...found.lastEvent, published: found.published } : undefined;
    res.json(success(`order ${orderId} is ${found.status}`, { ...found.order, ...(lastEvent ? { lastEvent } : {}) }));
  });
}
