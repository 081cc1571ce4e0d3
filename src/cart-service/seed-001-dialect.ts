import type { Express, Request } from 'express';
import { fromSeedOrderId, withMainFieldNames } from '../domain/seed-dialect';
import { sendAnswer, type Answer, type PendingEnvelope } from './answers';
import type { CartRoutesDeps } from './routes';

/** What a seed client is told of a committed write: published (200), or pending / held (202). */
export interface SeedMessages {
  published: string;
  pending: string;
  held: string;
}

/** Seed 001's answer to a committed write. */
export interface SeedBody {
  message: string;
  orderId: string;
  publication?: PendingEnvelope['publication'];
}

/** Seed 001's success messages, word for word (its clients may look for them), and what a 202 says instead. */
export const CREATED: SeedMessages = {
  published: 'order created and published successfully',
  pending: 'order created; its event is not yet acknowledged by Kafka and will be published',
  held: 'order created; Kafka refuses its event, which is held until an operator moves it back',
};
export const UPDATED: SeedMessages = {
  published: 'order status updated and published successfully',
  pending: 'order status updated; its event is not yet acknowledged by Kafka and will be published',
  held: 'order status updated; Kafka refuses its event, which is held until an operator moves it back',
};

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
 * committed and acknowledged by Kafka; 202 with `publication` (pending or held) while it is not
 * (the seed had no such case; 200 would claim a publication that has not happened). Refusals
 * keep the main API's status and error envelope.
 */
export function inSeedShape({ status, body }: Answer, messages: SeedMessages): Answer | { status: 200 | 202; body: SeedBody } {
  if (!body.success) return { status, body };
  const { orderId } = body.data as { orderId: string };
  if (status !== 202) return { status: 200, body: { message: messages.published, orderId } };
  // The main API's 202 says whether the event is on its way (pending) or refused by Kafka (held).
  const publication = (body as Partial<PendingEnvelope>).publication ?? 'pending';
  return { status: 202, body: { message: messages[publication], orderId, publication } };
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
    sendAnswer(res, inSeedShape(await createOrder(seedRequest(req, CREATE_ALIASES)), CREATED));
  });

  app.put('/update-order', async (req, res) => {
    sendAnswer(res, inSeedShape(await updateOrder(seedRequest(req, UPDATE_ALIASES)), UPDATED));
  });
}
