import type { Express, Request, Response } from 'express';
import { fromSeedOrderId, withMainFieldNames } from '../domain/seed-dialect';
import type { Answer } from './answers';
import type { CartRoutesDeps } from './routes';

/** Seed 001's success messages, word for word (its clients may look for them), and what a 202 says instead. */
const CREATED = { published: 'order created and published successfully', pending: 'order created; its event is not yet acknowledged by Kafka and will be published' };
const UPDATED = { published: 'order status updated and published successfully', pending: 'order status updated; its event is not yet acknowledged by Kafka and will be published' };

/** The seed's names for the main API's fields. */
const CREATE_ALIASES = { orderId: ['order_id'], numItems: ['numberOfItems', 'number_of_items'] } as const;
const UPDATE_ALIASES = { orderId: ['order_id'] } as const;

/** A body in the seed's spelling, read as the main API's: field names, and a digits-only id as `ORD-<digits>`. */
function mainBody(body: unknown, aliases: Record<string, readonly string[]>): unknown {
  const renamed = withMainFieldNames(body, aliases);
  if (typeof renamed !== 'object' || renamed === null || Array.isArray(renamed)) return renamed;
  const fields = renamed as Record<string, unknown>;
  return fields.orderId === undefined ? fields : { ...fields, orderId: fromSeedOrderId(fields.orderId) };
}

/**
 * The main API's answer in the seed's shape: `{ message, orderId }` with 200 once the write is
 * committed and acknowledged by Kafka, 202 while its publication is pending (the seed had no
 * such case; 200 would claim a publication that has not happened). Refusals keep the main API's
 * status and error envelope.
 */
function sendInSeedShape(res: Response, { status, body }: Answer, messages: { published: string; pending: string }): void {
  if (!body.success) {
    res.status(status).json(body);
    return;
  }
  const { orderId } = body.data as { orderId: string };
  if (status === 202) res.status(202).json({ message: messages.pending, orderId });
  else res.status(200).json({ message: messages.published, orderId });
}

function seedRequest(req: Request, aliases: Record<string, readonly string[]>) {
  return { body: mainBody(req.body as unknown, aliases), idempotencyKey: req.get('Idempotency-Key') };
}

/**
 * Seed 001's cart API at its unprefixed paths (clients written for it work unchanged):
 * `POST /create-order` with `orderId`/`order_id` and `numberOfItems`/`number_of_items` (or a
 * full order, as on the main API), `PUT /update-order` with `orderId`/`order_id` and `status`.
 * Both go through the same use cases as `/api/create-order` and `/api/update-order`.
 */
export function mountSeed001CartRoutes(app: Express, { createOrder, updateOrder }: Pick<CartRoutesDeps, 'createOrder' | 'updateOrder'>): void {
  app.post('/create-order', async (req, res) => {
    sendInSeedShape(res, await createOrder(seedRequest(req, CREATE_ALIASES)), CREATED);
  });

  app.put('/update-order', async (req, res) => {
    sendInSeedShape(res, await updateOrder(seedRequest(req, UPDATE_ALIASES)), UPDATED);
  });
}
