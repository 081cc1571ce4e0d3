import { Router, type Request } from 'express';
import { z } from 'zod';
import { ORDER_STATUSES, idSchema, parseStatus } from '../domain';
import { AppError, type FieldError } from '../errors';
import { success } from '../lib/http';
import type { OrderRecord, OrderRepository } from './order-repository';

const MAX_PAGE_SIZE = 100;
/** Order ids per page of getAllOrderIdsFromTopic: the seed's clients read one answer, so the first page is large. */
const ID_PAGE_SIZE = 1_000;
const MAX_ID_PAGE_SIZE = 10_000;

/** A Kafka topic name; the character class already excludes control characters and surrogates. */
const topicSchema = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a Kafka topic name (letters, digits, ".", "_", "-"; at most 249)');
const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`));
const listSchema = z.object({
  status: z
    .string()
    .transform((value, context) => {
      const status = parseStatus(value);
      if (status === undefined) {
        context.addIssue({ code: 'custom', message: `must be one of ${ORDER_STATUSES.join(', ')}, got '${value}'` });
        return z.NEVER;
      }
      return status;
    })
    .optional(),
  page: positiveInt(1_000_000).default(1),
  pageSize: positiveInt(MAX_PAGE_SIZE).default(20),
});

/** Parses request parameters; a failure is a 400 naming every bad parameter and its value. */
function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || 'query';
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return { field, message: `${field} ${message}` };
  });
  throw new AppError('VALIDATION_FAILED', errors.map((error) => error.message).join('; '), { fieldErrors: errors });
}

function query(req: Request): Record<string, unknown> {
  return req.query as Record<string, unknown>;
}

/** The public view of an order: its JSON (money as strings) plus the shipping cost. */
function orderView(order: OrderRecord) {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    orderDate: order.orderDate,
    items: order.items,
    totalAmount: order.totalAmount,
    currency: order.currency,
    status: order.status,
    shippingCost: order.shippingCost,
    updatedAt: order.updatedAt,
  };
}

async function findOrThrow(repository: OrderRepository, orderId: string): Promise<OrderRecord> {
  const order = await repository.findOrder(orderId);
  if (!order) throw new AppError('NOT_FOUND', `order '${orderId}' is unknown`);
  return order;
}

/** The query API: routes parse, call the repository and answer with the envelope. */
export function orderRoutes(repository: OrderRepository): Router {
  const router = Router();

  router.get('/order-details', async (req, res) => {
    const { orderId } = parse(z.object({ orderId: idSchema }), query(req));
    res.json(success('order found', orderView(await findOrThrow(repository, orderId))));
  });

  router.get('/getAllOrderIdsFromTopic', async (req, res) => {
    const { topicName, after, pageSize } = parse(
      // `after` is compared as stored, untrimmed: a trimmed cursor could repeat or skip ids that carry spaces.
      z.object({ topicName: topicSchema, after: z.string().min(1, 'must not be empty').max(1_000).optional(), pageSize: positiveInt(MAX_ID_PAGE_SIZE).default(ID_PAGE_SIZE) }),
      query(req),
    );
    // One more than asked tells whether another page follows, without counting them all.
    const found = await repository.orderIdsFromTopic(topicName, { after, limit: pageSize + 1 });
    const orderIds = found.slice(0, pageSize);
    const next = found.length > pageSize ? { nextAfter: orderIds.at(-1) } : {};
    res.json(success(`${orderIds.length} order ids consumed from ${topicName}`, { topicName, orderIds, ...next }));
  });

  router.get('/orders', async (req, res) => {
    const { status, page, pageSize } = parse(listSchema, query(req));
    const { orders, total } = await repository.listOrders({ status, page, pageSize });
    res.json(success(`${orders.length} of ${total} orders`, { orders, page, pageSize, total }));
  });

  router.get('/orders/:orderId', async (req, res) => {
    const { orderId } = parse(z.object({ orderId: idSchema }), req.params);
    res.json(success('order found', orderView(await findOrThrow(repository, orderId))));
  });

  router.get('/analytics/summary', async (_req, res) => {
    res.json(success('orders by status and revenue by currency', await repository.summary()));
  });

  return router;
}
