import { validateStatusUpdate } from '../domain';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Answer } from './answers';
import type { OrderEventEncoder } from './order-event-encoder';
import type { WriteAndAnswer, WriteRequest } from './write-and-answer';

export interface UpdateOrderDeps {
  encoder: OrderEventEncoder;
  writes: WriteAndAnswer;
  logger: Logger;
}

/**
 * Moves a known order to a new status: in one transaction (shared with the writes arriving
 * together) locks the order's row (404 when unknown), checks the lifecycle (409 naming both
 * states), stores the new status and its OrderStatusUpdated in the outbox; answers 200 once
 * Kafka acknowledged the event, 202 when it is slow to.
 */
export function updateOrderUseCase({ encoder, writes, logger }: UpdateOrderDeps) {
  return async function updateOrder({ body, idempotencyKey }: Omit<WriteRequest, 'operation'>): Promise<Answer> {
    const idempotency = writes.claimOf({ operation: 'update-order', body, idempotencyKey });
    const validation = validateStatusUpdate(body);
    if (!validation.ok) {
      throw new AppError('VALIDATION_FAILED', `the status update is invalid: ${validation.errors.map((error) => error.message).join('; ')}`, {
        fieldErrors: validation.errors,
      });
    }
    const { orderId, status } = validation.update;
    const answer = await writes.answer(idempotency, async () => {
      // The event is encoded inside the transaction, once the current status is known; the schemas must be registered first.
      await encoder.start();
      return { kind: 'update', orderId, status };
    });
    logger.info({ orderId, status, answered: answer.status }, 'status update answered');
    return answer;
  };
}
