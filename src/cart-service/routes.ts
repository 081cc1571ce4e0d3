import type { Express } from 'express';
import type { OrderJson } from '../domain';
import { success } from '../lib/http';

export interface CartRoutesDeps {
  createOrder(body: unknown): Promise<OrderJson>;
  updateOrder(body: unknown): Promise<OrderJson>;
}

/** The producer API: parse, call the use case, answer with the envelope. Errors go to the shared handler. */
export function mountCartRoutes(app: Express, { createOrder, updateOrder }: CartRoutesDeps): void {
  app.post('/api/create-order', async (req, res) => {
    const order = await createOrder(req.body);
    res.status(201).json(success(`order ${order.orderId} created`, order));
  });

  app.put('/api/update-order', async (req, res) => {
    const order = await updateOrder(req.body);
    res.status(200).json(success(`order ${order.orderId} is now ${order.status}`, order));
  });
}
