import { generateOrder, toOrderJson, validateCreateRequest, type OrderJson } from '../domain';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { OrderCreationBatcher } from './order-creation-batcher';
import type { OrderEventPublisher } from './order-event-publisher';

export interface CreateOrderDeps {
  publisher: OrderEventPublisher;
  creations: OrderCreationBatcher;
  logger: Logger;
}

/**
 * Creates an order from `{ orderId, numItems }` (generated) or a full order body (validated),
 * encodes its OrderCreated event, then hands both to the creation batcher, which — in one
 * transaction shared with the creates arriving together — records the order id (409 when it
 * is known), publishes and waits for Kafka's acknowledgement, and commits. When publishing
 * fails the transaction rolls back, so a 503 leaves nothing behind.
 */
export function createOrderUseCase({ publisher, creations, logger }: CreateOrderDeps) {
  return async function createOrder(body: unknown): Promise<OrderJson> {
    const validation = validateCreateRequest(body);
    if (!validation.ok) {
      throw new AppError('VALIDATION_FAILED', `the order is invalid: ${validation.errors.map((error) => error.message).join('; ')}`, {
        fieldErrors: validation.errors,
      });
    }
    const { request } = validation;
    const order = request.kind === 'generate' ? generateOrder(request.orderId, request.numItems) : request.order;
    const orderJson = toOrderJson(order);

    const event = await publisher.prepareOrderCreated(order);
    const { eventId } = await creations.create({ order: orderJson, event });
    logger.info({ orderId: order.orderId, eventId }, 'order created');
    return orderJson;
  };
}
