/** Reads the main API and the seed dialects share, answered in each one's own shape. */
import { z } from 'zod';
import { AppError } from '../errors';
import type { OrderRecord, OrderRepository } from './order-repository';
import { parse, positiveInt } from '../lib/http';
import { topicSchema } from './query-params';

/** The order `orderId`, or 404. */
export async function findOrThrow(repository: OrderRepository, orderId: string): Promise<OrderRecord> {
  const order = await repository.findOrder(orderId);
  if (!order) throw new AppError('NOT_FOUND', `order '${orderId}' is unknown`);
  return order;
}

/** Order ids per page of getAllOrderIdsFromTopic: the seed's clients read one answer, so the first page is large. */
const ID_PAGE_SIZE = 1_000;
const MAX_ID_PAGE_SIZE = 10_000;

const orderIdsQuery = z.object({
  topicName: topicSchema,
  // Compared as stored, untrimmed: a trimmed cursor could repeat or skip ids that carry spaces.
  after: z.string().min(1, 'must not be empty').max(1_000).optional(),
  pageSize: positiveInt(MAX_ID_PAGE_SIZE).default(ID_PAGE_SIZE),
});

/** One page of the ids of the orders consumed from `topicName` (query `topicName`, `after`, `pageSize`), with the cursor of the next page when there is one. */
export async function orderIdsPage(repository: OrderRepository, rawQuery: Record<string, unknown>): Promise<{ topicName: string; orderIds: string[]; nextAfter?: string }> {
  const { topicName, after, pageSize } = parse(orderIdsQuery, rawQuery);
  // One more than asked tells whether another page follows, without counting them all.
  const found = await repository.orderIdsFromTopic(topicName, { after, limit: pageSize + 1 });
  const orderIds = found.slice(0, pageSize);
  const nextAfter = found.length > pageSize ? orderIds.at(-1) : undefined;
  return nextAfter === undefined ? { topicName, orderIds } : { topicName, orderIds, nextAfter };
}
