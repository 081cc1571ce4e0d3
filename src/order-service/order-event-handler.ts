import { Decimal, canTransition, shippingCost, type OrderStatus } from '../domain';
import type { EventOrder, EventPosition, OrderEventType, ValidEvent } from '../lib/order-events';

/**
 * The order service's decisions, without I/O: given what the database already holds, which
 * valid events of a batch are applied, duplicates, parked (a status update ahead of its
 * OrderCreated) or rejected (an illegal transition, a second OrderCreated for the same order).
 * The repository writes the resulting plan in one transaction.
 */

/** A status update kept until its order arrives. */
export interface PendingUpdate {
  eventId: string;
  orderId: string;
  status: OrderStatus;
  occurredAt: Date;
  position: EventPosition;
}

/** What the database holds about the orders and events of a batch, read inside its transaction. */
export interface BatchState {
  /** Event ids already in the history or parked. */
  knownEventIds: ReadonlySet<string>;
  /** Current status of the batch's orders that exist. */
  orderStatuses: ReadonlyMap<string, OrderStatus>;
  /** Parked updates of the batch's orders. */
  pending: readonly PendingUpdate[];
}

export type Outcome = 'applied' | 'duplicate' | 'parked' | 'rejected';

/** One row of the event history. */
export interface HistoryEntry {
  eventId: string;
  orderId: string;
  type: OrderEventType;
  status: OrderStatus;
  outcome: 'applied' | 'rejected';
  reason: string | null;
  occurredAt: Date;
  position: EventPosition;
}

/** A new order with its final status after the batch. */
export interface NewOrder {
  order: EventOrder;
  status: OrderStatus;
  shippingCost: Decimal;
  sourceTopic: string;
}

export interface EventOutcome {
  eventId: string;
  orderId: string;
  type: OrderEventType;
  outcome: Outcome;
  reason?: string;
  occurredAt: Date;
}

/** Everything one batch changes, written by the repository in one transaction. */
export interface BatchPlan {
  newOrders: NewOrder[];
  /** Final status of orders that existed before the batch and changed in it. */
  statusChanges: Map<string, OrderStatus>;
  history: HistoryEntry[];
  /** Updates to park (their order is still unknown after the batch). */
  parked: PendingUpdate[];
  /** Parked event ids applied or refused in this batch, to delete from the parking table. */
  unparked: string[];
  outcomes: EventOutcome[];
}

function compareOffsets(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

/**
 * Parked updates apply in the order the log holds them: an order's events share one partition,
 * so its offsets are the true order. occurredAt is the producer's clock, which may go backwards;
 * it decides only between partitions (after the topic's partitions were added to, say).
 */
function byPosition(a: PendingUpdate, b: PendingUpdate): number {
  const samePartition = a.position.topic === b.position.topic && a.position.partition === b.position.partition;
  return samePartition ? compareOffsets(a.position.offset, b.position.offset) : a.occurredAt.getTime() - b.occurredAt.getTime();
}

/**
 * Decides the fate of each valid event of a batch, in offset order, against `state`.
 * Duplicates (an event id already known, or seen earlier in the batch) change nothing; an
 * update of an unknown order is parked; when an order arrives, its parked updates are applied
 * in occurrence order with the lifecycle checked at each step.
 */
export function planBatch(events: readonly ValidEvent[], state: BatchState): BatchPlan {
  const statuses = new Map(state.orderStatuses);
  const seen = new Set(state.knownEventIds);
  const pendingByOrder = new Map<string, PendingUpdate[]>();
  const parkedBefore = new Set(state.pending.map((update) => update.eventId));
  for (const update of state.pending) pendingByOrder.set(update.orderId, [...(pendingByOrder.get(update.orderId) ?? []), update]);

  const newOrders = new Map<string, NewOrder>();
  const statusChanges = new Map<string, OrderStatus>();
  const history: HistoryEntry[] = [];
  const unparked: string[] = [];
  const outcomes = new Map<string, EventOutcome>();
  const duplicates: EventOutcome[] = [];

  const setStatus = (orderId: string, status: OrderStatus): void => {
    statuses.set(orderId, status);
    const created = newOrders.get(orderId);
    if (created) created.status = status;
    else statusChanges.set(orderId, status);
  };

  const applyUpdate = (update: PendingUpdate): void => {
    const current = statuses.get(update.orderId) as OrderStatus;
    const legal = canTransition(current, update.status);
    const reason = legal ? null : `illegal transition from '${current}' to '${update.status}'`;
    if (legal) setStatus(update.orderId, update.status);
    history.push({
      eventId: update.eventId,
      orderId: update.orderId,
      type: 'OrderStatusUpdated',
      status: update.status,
      outcome: legal ? 'applied' : 'rejected',
      reason,
      occurredAt: update.occurredAt,
      position: update.position,
    });
    const outcome: EventOutcome = { eventId: update.eventId, orderId: update.orderId, type: 'OrderStatusUpdated', outcome: legal ? 'applied' : 'rejected', occurredAt: update.occurredAt };
    if (reason) outcome.reason = reason;
    outcomes.set(update.eventId, outcome);
  };

  for (const event of events) {
    if (seen.has(event.eventId)) {
      duplicates.push({ eventId: event.eventId, orderId: event.orderId, type: event.type, outcome: 'duplicate', occurredAt: event.occurredAt });
      continue;
    }
    seen.add(event.eventId);

    if (event.type === 'OrderCreated' && event.order) {
      if (statuses.has(event.orderId)) {
        const reason = `order '${event.orderId}' already exists`;
        history.push(historyOf(event, 'rejected', reason));
        outcomes.set(event.eventId, outcomeOf(event, 'rejected', reason));
        continue;
      }
      statuses.set(event.orderId, event.status);
      newOrders.set(event.orderId, {
        order: event.order,
        status: event.status,
        shippingCost: shippingCost(event.order.totalAmount),
        sourceTopic: event.position.topic,
      });
      history.push(historyOf(event, 'applied', null));
      outcomes.set(event.eventId, outcomeOf(event, 'applied'));
      const waiting = (pendingByOrder.get(event.orderId) ?? []).sort(byPosition);
      pendingByOrder.delete(event.orderId);
      for (const update of waiting) {
        if (parkedBefore.has(update.eventId)) unparked.push(update.eventId);
        applyUpdate(update);
      }
      continue;
    }

    const update: PendingUpdate = {
      eventId: event.eventId,
      orderId: event.orderId,
      status: event.status,
      occurredAt: event.occurredAt,
      position: event.position,
    };
    if (statuses.has(event.orderId)) {
      applyUpdate(update);
    } else {
      const waiting = pendingByOrder.get(event.orderId);
      if (waiting) waiting.push(update);
      else pendingByOrder.set(event.orderId, [update]);
      outcomes.set(event.eventId, outcomeOf(event, 'parked'));
    }
  }

  const parked = [...pendingByOrder.values()].flat().filter((update) => !parkedBefore.has(update.eventId));
  return {
    newOrders: [...newOrders.values()],
    statusChanges,
    history,
    parked,
    unparked,
    outcomes: [...outcomes.values(), ...duplicates],
  };
}

// Whole objects, not spreads of partial ones: a batch builds tens of thousands of them.
function historyOf(event: ValidEvent, outcome: HistoryEntry['outcome'], reason: string | null): HistoryEntry {
  return { eventId: event.eventId, orderId: event.orderId, type: event.type, status: event.status, outcome, reason, occurredAt: event.occurredAt, position: event.position };
}

function outcomeOf(event: ValidEvent, outcome: Outcome, reason?: string): EventOutcome {
  const result: EventOutcome = { eventId: event.eventId, orderId: event.orderId, type: event.type, outcome, occurredAt: event.occurredAt };
  if (reason !== undefined) result.reason = reason;
  return result;
}
