import { generateOrder, toOrderJson, validateCreateRequest } from '../domain';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { Answer } from './answers';
import type { OrderEventEncoder } from './order-event-encoder';
import type { WriteAndAnswer, WriteRequest } from './write-and-answer';

export interface CreateOrderDeps {
  encoder: OrderEventEncoder;
  writes: WriteAndAnswer;
  logger: Logger;
}

/**
 * Creates an order from `{ orderId, numItems }` (generated) or a full order body (validated),
 * encodes its OrderCreated (503 while the registry cannot give a schema id), then commits the
 * order with its outbox row — in one transaction shared with the writes arriving together — and
 * answers 201 once Kafka acknowledged the event, 202 when it is slow to, 409 for a known id.
 */
export function createOrderUseCase({ encoder, writes, logger }: CreateOrderDeps) {
  return async function createOrder({ body, idempotencyKey }: Omit<WriteRequest, 'operation'>): Promise<Answer> {
    const idempotency = writes.claimOf({ operation: 'create-order', body, idempotencyKey });
    const validation = validateCreateRequest(body);
    if (!validation.ok) {
      throw new AppError('VALIDATION_FAILED', `the order is invalid: ${validation.errors.map((error) => error.message).join('; ')}`, {
        fieldErrors: validation.errors,
      });
    }
    const { request } = validation;
    const order = request.kind === 'generate' ? generateOrder(request.orderId, request.numItems) : request.order;
    const answer = await writes.answer(idempotency, async () => ({
      kind: 'create',
      order: toOrderJson(order),
      event: await encoder.orderCreated(order),
    }));
    logger.info({ orderId: order.orderId, status: answer.status }, 'create answered');
    return answer;
  };
}
