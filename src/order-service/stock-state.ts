import type { StockState } from '../lib/inventory-events';

/** An order's stock state as the order service shows it: awaiting until the inventory service answers. */
export type OrderStockState = StockState | 'awaiting';

export const ORDER_STOCK_STATES = ['awaiting', 'reserved', 'rejected', 'released', 'committed'] as const satisfies readonly OrderStockState[];

/**
 * How far along each state is: a reservation (or its refusal) comes first, then its release or
 * commitment. A state never moves back, so an inventory event read late or again cannot undo a
 * later one.
 */
const PROGRESS: Readonly<Record<OrderStockState, number>> = { awaiting: 0, reserved: 1, rejected: 1, released: 2, committed: 2 };

/** The state after `incoming`: it, when it is further along than `current`; `current` otherwise. */
export function nextStockState(current: OrderStockState, incoming: StockState): OrderStockState {
  return PROGRESS[incoming] > PROGRESS[current] ? incoming : current;
}
