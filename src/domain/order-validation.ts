import type { z } from 'zod';
import type { FieldError } from '../errors';
import type { Order } from './order';
import type { OrderStatus } from './order-status';
import { generateRequestSchema, newOrderSchema, orderSchema, recordedOrderSchema, statusUpdateSchema } from './order-schemas';

/** Field name used for an error about the request body as a whole (not an object, ...). */
export const BODY_FIELD = 'body';

/** Outcome of {@link validateOrder}. */
export type OrderValidation = { ok: true; order: Order } | { ok: false; errors: FieldError[] };

/** Options of {@link validateOrder}. */
export interface ValidateOrderOptions {
  /** The body creates a new order: its status must be 'pending' or absent. Default false. */
  newOrder?: boolean;
  /**
   * The order is recorded in an event accepted earlier (a consumer replaying history): it is
   * checked for what it must be to apply — structure, lifecycle, money — but not against today's
   * reference data, such as the table of active currencies. Default false.
   */
  recorded?: boolean;
}

/** A valid status update request. */
export interface StatusUpdate {
  orderId: string;
  /** Canonical status ("CANCELED" arrives as 'cancelled'). */
  status: OrderStatus;
}

/** Outcome of {@link validateStatusUpdate}. */
export type StatusUpdateValidation = { ok: true; update: StatusUpdate } | { ok: false; errors: FieldError[] };

/** A valid create request: the short form to generate an order, or a full order. */
export type CreateRequest = { kind: 'generate'; orderId: string; numItems: number } | { kind: 'order'; order: Order };

/** Outcome of {@link validateCreateRequest}. */
export type CreateRequestValidation = { ok: true; request: CreateRequest } | { ok: false; errors: FieldError[] };

/** A zod path as the API names fields: ['items', 1, 'quantity'] -> "items[1].quantity". */
function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return BODY_FIELD;
  return path.reduce<string>((joined, key) => {
    if (typeof key === 'number') return `${joined}[${key}]`;
    return joined === '' ? String(key) : `${joined}.${String(key)}`;
  }, '');
}

/** Runs a schema; on failure returns every issue as a FieldError whose message starts with the field. */
function check<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const errors = result.error.issues.map((issue) => {
    const field = fieldPath(issue.path);
    return { field, message: `${field} ${issue.message}` };
  });
  return { ok: false, errors };
}

/**
 * Validates a full order body and reads it into an {@link Order}, reporting every broken field
 * (paths like `items[1].quantity`, messages naming the offending value). Rules: ids are
 * non-empty strings (trimmed; max 64 characters; no control characters); `orderDate` is strict
 * ISO 8601 (see `parseIsoDateTime`); 1..100 items; integer quantity 1..10,000; price > 0 with at
 * most 2 decimals; `totalAmount` > 0 and exactly the sum of price x quantity; `currency` an
 * active ISO 4217 code; `status` a known status in any accepted spelling, 'pending' when absent.
 * Unknown fields are ignored.
 */
export function validateOrder(body: unknown, options: ValidateOrderOptions = {}): OrderValidation {
  const schema = options.newOrder === true ? newOrderSchema : options.recorded === true ? recordedOrderSchema : orderSchema;
  const result = check(schema, body);
  return result.ok ? { ok: true, order: result.value } : result;
}

/** Validates `{ orderId, status }`; the status may use any accepted spelling. */
export function validateStatusUpdate(body: unknown): StatusUpdateValidation {
  const result = check(statusUpdateSchema, body);
  return result.ok ? { ok: true, update: result.value } : result;
}

/**
 * Validates a create request. A body with an `items` field is a full new order (validated as by
 * {@link validateOrder} with `newOrder`, so its status must be 'pending' or absent); any other
 * body is the short form `{ orderId, numItems }` with `numItems` a whole number 1..100.
 */
export function validateCreateRequest(body: unknown): CreateRequestValidation {
  if (typeof body === 'object' && body !== null && 'items' in body) {
    const result = validateOrder(body, { newOrder: true });
    return result.ok ? { ok: true, request: { kind: 'order', order: result.order } } : result;
  }
  const result = check(generateRequestSchema, body);
  return result.ok ? { ok: true, request: { kind: 'generate', ...result.value } } : result;
}
