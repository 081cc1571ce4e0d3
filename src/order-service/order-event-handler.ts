import { Decimal, canTransition, parseStatus, shippingCost, validateOrder, type OrderStatus } from '../domain';
import type { OrderCreated, OrderRecord, OrderStatusUpdated } from '../lib/registry';

/**
 * The order service's decisions, without I/O: which events of a batch are business-valid,
 * and — given what the database already holds — which are applied, duplicates, parked
 * (a status update ahead of its OrderCreated) or rejected (an illegal transition, a second
 * OrderCreated for the same order). The repository writes the resulting plan in one
 * transaction.
 */

/**
 * The fields of the decoded events (the generated Avro types) that the handler reads, so a
 * schema change flows through. Status is widened to `string`: the handler itself checks it
 * ('unknown', a writer's symbol this reader does not know, is invalid).
 */
type WithStatus<T> = Omit<T, 'status'> & { status: string };

/** An order as an OrderCreated event carries it (the registry serde's decoded form). */
export type EventOrder = WithStatus<Pick<OrderRecord, 'orderId' | 'customerId' | 'orderDate' | 'items' | 'totalAmount' | 'currency' | 'status'>>;

export type OrderCreatedEvent = Pick<OrderCreated, 'eventId' | 'occurredAt'> & { order: EventOrder };

export type OrderStatusUpdatedEvent = WithStatus<Pick<OrderStatusUpdated, 'eventId' | 'occurredAt' | 'orderId' | 'status'>>;

/** A decoded event as the handler takes it: any `DecodedOrderEvent` of these types is one. */
export type OrderEvent = { type: 'OrderCreated'; event: OrderCreatedEvent } | { type: 'OrderStatusUpdated'; event: OrderStatusUpdatedEvent };
export type OrderEventType = OrderEvent['type'];

/** Where a record was read from. Offsets are strings, as kafkajs gives them (int64). */
export interface EventPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** A business-valid event with its canonical status and position. */
export interface ValidEvent {
  type: OrderEventType;
  eventId: string;
  orderId: string;
  occurredAt: Date;
  status: OrderStatus;
  /** Present for OrderCreated. */
  order?: EventOrder;
  position: EventPosition;
}

export type EventCheck = { ok: true; event: ValidEvent } | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Business checks on a decoded event: a UUID event id, and for OrderCreated every rule of
 * `validateOrder` as recorded (total = item sum exactly, a currency code, known status, ...; not today's
 * currency table, so replaying history does not re-judge it). A failing
 * event is poison: it goes to the dead-letter topic, never to the database.
 */
export function checkEvent(decoded: OrderEvent, position: EventPosition): EventCheck {
  const { eventId, occurredAt } = decoded.event;
  if (typeof eventId !== 'string' || !UUID.test(eventId)) return { ok: false, reason: `eventId must be a UUID, got '${String(eventId)}'` };
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) return { ok: false, reason: 'occurredAt is not a valid time' };

  if (decoded.type === 'OrderCreated') {
    const { order } = decoded.event;
    const validation = validateOrder({
      orderId: order.orderId,
      customerId: order.customerId,
      orderDate: order.orderDate.toISOString(),
      items: order.items.map((item) => ({ itemId: item.itemId, quantity: item.quantity, price: item.price.toFixed() })),
      totalAmount: order.totalAmount.toFixed(),
      currency: order.currency,
      status: order.status,
    }, { recorded: true });
    if (!validation.ok) return { ok: false, reason: validation.errors.map((error) => error.message).join('; ') };
    const status = validation.order.status;
    return {
      ok: true,
      event: { type: 'OrderCreated', eventId: eventId.toLowerCase(), orderId: order.orderId, occurredAt, status, order, position },
    };
  }

  const { orderId, status: rawStatus } = decoded.event;
  if (typeof orderId !== 'string' || orderId.trim() === '') return { ok: false, reason: 'orderId must be a non-empty string' };
  const status = parseStatus(rawStatus);
  if (status === undefined) return { ok: false, reason: `status must be one of the order statuses, got '${String(rawStatus)}'` };
  return { ok: true, event: { type: 'OrderStatusUpdated', eventId: eventId.toLowerCase(), orderId, occurredAt, status, position } };
}

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
    outcomes.set(update.eventId, {
      eventId: update.eventId,
      orderId: update.orderId,
      type: 'OrderStatusUpdated',
      outcome: legal ? 'applied' : 'rejected',
      occurredAt: update.occurredAt,
      ...(reason ? { reason } : {}),
    });
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
        history.push({ ...historyOf(event), outcome: 'rejected', reason });
        outcomes.set(event.eventId, { ...outcomeOf(event), outcome: 'rejected', reason });
        continue;
      }
      statuses.set(event.orderId, event.status);
      newOrders.set(event.orderId, {
        order: event.order,
        status: event.status,
        shippingCost: shippingCost(event.order.totalAmount),
        sourceTopic: event.position.topic,
      });
      history.push({ ...historyOf(event), outcome: 'applied', reason: null });
      outcomes.set(event.eventId, { ...outcomeOf(event), outcome: 'applied' });
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
      pendingByOrder.set(event.orderId, [...(pendingByOrder.get(event.orderId) ?? []), update]);
      outcomes.set(event.eventId, { ...outcomeOf(event), outcome: 'parked' });
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

function historyOf(event: ValidEvent): Omit<HistoryEntry, 'outcome' | 'reason'> {
  return {
    eventId: event.eventId,
    orderId: event.orderId,
    type: event.type,
    status: event.status,
    occurredAt: event.occurredAt,
    position: event.position,
  };
}

function outcomeOf(event: ValidEvent): Omit<EventOutcome, 'outcome'> {
  return { eventId: event.eventId, orderId: event.orderId, type: event.type, occurredAt: event.occurredAt };
}
