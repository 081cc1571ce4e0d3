import type { ValidEvent } from '../lib/order-events';
import type { InventoryEvent, StockLine } from '../lib/registry';

/**
 * The inventory service's decisions, without I/O: given the stock and reservations a batch of
 * order events touches, what each event does to them and which inventory events answer it.
 */

/** What an order holds: reserved (units moved from available to reserved), and what became of it. */
export type ReservationState = 'reserved' | 'rejected' | 'released' | 'committed';

/** One item's stock: units free to reserve, and units orders hold. */
export interface StockLevel {
  available: number;
  reserved: number;
}

export interface Reservation {
  state: ReservationState;
  /** What the order asked for, one line per item (summed), sorted by item id. */
  lines: StockLine[];
}

/** What the batch's events find in the database, locked for the batch's transaction. */
export interface InventoryState {
  /** The stock of every item the batch may touch; an item missing here was never stocked. */
  stock: ReadonlyMap<string, StockLevel>;
  /** The reservation of each of the batch's orders that has one. */
  reservations: ReadonlyMap<string, Reservation>;
  /** The inventory event that answered each of the batch's events answered before, by that event's id. */
  answers: ReadonlyMap<string, InventoryEvent>;
}

/** What an order event came to: a new answer, one sent again (a redelivery), or nothing to do. */
export type Decision = ReservationState | 'resent' | 'ignored';

export interface InventoryPlan {
  /** New levels of the items whose stock changed. */
  stock: Map<string, StockLevel>;
  /** Reservations created or changed, by order id. */
  reservations: Map<string, Reservation>;
  /** New answers to record, by the id of the order event they answer. */
  answers: Map<string, InventoryEvent>;
  /** Every answer to send, in the order of the events: new ones and those sent before (a repeat is dropped by its event id downstream). */
  publish: InventoryEvent[];
  decisions: Array<{ eventId: string; orderId: string; decision: Decision }>;
}

export interface PlanOptions {
  now: Date;
  /** A new, unique event id (a UUID). */
  newEventId(): string;
}

/** An order's lines, one per item with the quantities summed, sorted by item id. */
export function linesOf(items: ReadonlyArray<{ itemId: string; quantity: number }>): StockLine[] {
  const totals = new Map<string, number>();
  for (const { itemId, quantity } of items) totals.set(itemId, (totals.get(itemId) ?? 0) + quantity);
  return [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([itemId, quantity]) => ({ itemId, quantity }));
}

/**
 * Decides a batch of one partition's order events, in order, each seeing what the ones before it
 * did (two orders of one batch compete for the same units as they would apart):
 *
 * - OrderCreated: every line reserved, or none (InventoryRejected naming each short item);
 * - a status update to `cancelled`: a held reservation is released (InventoryReleased);
 * - to `shipped`: the reserved units leave stock (InventoryCommitted);
 * - an event answered before is answered again with the same inventory event; anything else
 *   (other statuses, a second OrderCreated of an order, a cancel of a rejected order) changes
 *   nothing, except that a cancel of an order not seen yet keeps its OrderCreated from reserving.
 */
export function planInventory(events: readonly ValidEvent[], state: InventoryState, { now, newEventId }: PlanOptions): InventoryPlan {
  const stock = new Map<string, StockLevel>();
  const reservations = new Map<string, Reservation>();
  const plan: InventoryPlan = { stock, reservations, answers: new Map(), publish: [], decisions: [] };
  const levelOf = (itemId: string): StockLevel => stock.get(itemId) ?? state.stock.get(itemId) ?? { available: 0, reserved: 0 };
  const reservationOf = (orderId: string): Reservation | undefined => reservations.get(orderId) ?? state.reservations.get(orderId);
  const header = (event: ValidEvent) => ({ eventId: newEventId(), occurredAt: now, orderId: event.orderId, causationEventId: event.eventId });

  const answer = (event: ValidEvent, decision: ReservationState, reply: InventoryEvent): void => {
    plan.answers.set(event.eventId, reply);
    plan.publish.push(reply);
    plan.decisions.push({ eventId: event.eventId, orderId: event.orderId, decision });
  };

  for (const event of events) {
    const earlier = state.answers.get(event.eventId) ?? plan.answers.get(event.eventId);
    if (earlier) {
      plan.publish.push(earlier);
      plan.decisions.push({ eventId: event.eventId, orderId: event.orderId, decision: 'resent' });
      continue;
    }
    const held = reservationOf(event.orderId);

    if (event.type === 'OrderCreated' && event.order && !held) {
      const lines = linesOf(event.order.items);
      const shortItems = lines
        .map(({ itemId, quantity }) => ({ itemId, requested: quantity, available: levelOf(itemId).available }))
        .filter(({ requested, available }) => available < requested);
      if (shortItems.length > 0) {
        reservations.set(event.orderId, { state: 'rejected', lines });
        answer(event, 'rejected', { type: 'InventoryRejected', event: { ...header(event), shortItems } });
        continue;
      }
      for (const { itemId, quantity } of lines) {
        const level = levelOf(itemId);
        stock.set(itemId, { available: level.available - quantity, reserved: level.reserved + quantity });
      }
      reservations.set(event.orderId, { state: 'reserved', lines });
      answer(event, 'reserved', { type: 'InventoryReserved', event: { ...header(event), items: lines } });
      continue;
    }

    if (event.type === 'OrderStatusUpdated' && held?.state === 'reserved' && (event.status === 'cancelled' || event.status === 'shipped')) {
      const released = event.status === 'cancelled';
      for (const { itemId, quantity } of held.lines) {
        const level = levelOf(itemId);
        stock.set(itemId, { available: level.available + (released ? quantity : 0), reserved: level.reserved - quantity });
      }
      reservations.set(event.orderId, { state: released ? 'released' : 'committed', lines: held.lines });
      const reply: InventoryEvent = released
        ? { type: 'InventoryReleased', event: { ...header(event), items: held.lines } }
        : { type: 'InventoryCommitted', event: { ...header(event), items: held.lines } };
      answer(event, released ? 'released' : 'committed', reply);
      continue;
    }

    // A cancel before its order was seen (a replayed or late OrderCreated): nothing to release,
    // but remembered, so that OrderCreated reserves nothing when it comes.
    if (event.type === 'OrderStatusUpdated' && !held && event.status === 'cancelled') reservations.set(event.orderId, { state: 'released', lines: [] });
    plan.decisions.push({ eventId: event.eventId, orderId: event.orderId, decision: 'ignored' });
  }
  return plan;
}
