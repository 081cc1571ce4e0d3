import { assertTransition, validateStatusUpdate, type OrderJson } from '../domain';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { CartOrderRepository } from './cart-order-repository';
import type { OrderEventPublisher } from './order-event-publisher';

export interface UpdateOrderDeps {
  repository: CartOrderRepository;
  publisher: OrderEventPublisher;
  logger: Logger;
}

/**
 * Moves a known order to a new status: in one transaction, locks the order's row (404 when
 * unknown), checks the lifecycle (409 naming both states), stores the new status, publishes
 * OrderStatusUpdated and waits for Kafka's commit, then commits.
 */
export function updateOrderUseCase({ repository, publisher, logger }: UpdateOrderDeps) {
  return async function updateOrder(body: unknown): Promise<OrderJson> {
    const validation = validateStatusUpdate(body);
    if (!validation.ok) {
      throw new AppError('VALIDATION_FAILED', `the status update is invalid: ${validation.errors.map((error) => error.message).join('; ')}`, {
        fieldErrors: validation.errors,
      });
    }
    const { orderId, status } = validation.update;

    const { order, eventId, previousStatus } = await repository.transaction(async (trx) => {
      const known = await repository.findForUpdate(trx, orderId);
      if (!known) throw new AppError('NOT_FOUND', `order '${orderId}' is not known`);
      assertTransition(known.status, status);
      const updated: OrderJson = { ...known.order, status };
      // The row is written before publishing, so once Kafka has the event only the commit is left to fail.
      await repository.updateStatus(trx, orderId, status, updated);
      const { eventId: published } = await publisher.publishStatusUpdated(orderId, status, known.status);
      return { order: updated, eventId: published, previousStatus: known.status };
    });
    logger.info({ orderId, eventId, previousStatus, status }, 'order status updated');
    return order;
  };
}
