import { generateOrder, toOrderJson, validateCreateRequest, type OrderJson } from '../domain';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { CartOrderRepository } from './cart-order-repository';
import type { OrderEventPublisher } from './order-event-publisher';

export interface CreateOrderDeps {
  repository: CartOrderRepository;
  publisher: OrderEventPublisher;
  logger: Logger;
}

/**
 * Creates an order from `{ orderId, numItems }` (generated) or a full order body (validated),
 * then, in one transaction: records the order id (409 when it is known), publishes
 * OrderCreated and waits for Kafka's acknowledgement, and commits. When publishing fails the
 * transaction rolls back, so a 503 leaves nothing behind.
 */
export function createOrderUseCase({ repository, publisher, logger }: CreateOrderDeps) {
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

    const { eventId } = await repository.transaction(async (trx) => {
      await repository.insert(trx, orderJson);
      return publisher.publishOrderCreated(order);
    });
    logger.info({ orderId: order.orderId, eventId }, 'order created');
    return orderJson;
  };
}
