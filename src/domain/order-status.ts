import { AppError } from '../errors';

/** Every status an order can have, in lifecycle order; the canonical spelling is lower case. */
export const ORDER_STATUSES = ['pending', 'confirmed', 'paid', 'processing', 'shipped', 'delivered', 'cancelled'] as const;

/** A canonical order status. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The status of every new order. */
export const INITIAL_ORDER_STATUS: OrderStatus = 'pending';

/**
 * The lifecycle as data, the union of the seeds' vocabularies: for each status, the statuses it
 * may move to. A confirmed order may be paid, processed or shipped; a paid one processed or
 * shipped; any order may be cancelled before it ships; delivered and cancelled are final.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = Object.freeze({
  pending: Object.freeze(['confirmed', 'cancelled'] as const),
  confirmed: Object.freeze(['paid', 'processing', 'shipped', 'cancelled'] as const),
  paid: Object.freeze(['processing', 'shipped', 'cancelled'] as const),
  processing: Object.freeze(['shipped', 'cancelled'] as const),
  shipped: Object.freeze(['delivered'] as const),
  delivered: Object.freeze([] as const),
  cancelled: Object.freeze([] as const),
});

/**
 * Spellings accepted on input besides the canonical ones (compared in lower case): seeds use
 * both vocabularies ("new" is seed 001's pending), and American English writes "canceled".
 */
const STATUS_ALIASES: Readonly<Record<string, OrderStatus>> = Object.freeze({ new: 'pending', canceled: 'cancelled' });

const STATUS_BY_SPELLING: ReadonlyMap<string, OrderStatus> = new Map<string, OrderStatus>([
  ...ORDER_STATUSES.map((status): [string, OrderStatus] => [status, status]),
  ...Object.entries(STATUS_ALIASES),
]);

/** The spellings `parseStatus` reads as one of `statuses`, as a JSON Schema pattern (ECMA-262 has no case-insensitive flag inside a pattern). */
export function statusSpellingPattern(statuses: readonly OrderStatus[]): string {
  const spellings = [...STATUS_BY_SPELLING].filter(([, status]) => statuses.includes(status)).map(([spelling]) => spelling);
  const anyCase = (spelling: string) => [...spelling].map((letter) => `[${letter}${letter.toUpperCase()}]`).join('');
  return `^(?:${spellings.map(anyCase).join('|')})$`;
}

/** True when `value` is a canonical status spelled exactly ("pending", not "PENDING"). */
export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

/**
 * Reads a status from input: case-insensitive ("PENDING", "Pending", "pending") and accepting
 * the US spelling "canceled". Returns the canonical lower-case status, or undefined when the
 * value is not a known status.
 */
export function parseStatus(value: unknown): OrderStatus | undefined {
  if (typeof value !== 'string') return undefined;
  return STATUS_BY_SPELLING.get(value.toLowerCase());
}

/** True when an order in status `from` may move to `to`. Staying in the same status is not a move. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/**
 * Throws AppError `ILLEGAL_TRANSITION` (HTTP 409) naming both statuses when an order in
 * status `from` may not move to `to`.
 */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new AppError('ILLEGAL_TRANSITION', `cannot move order from '${from}' to '${to}'`);
  }
}
