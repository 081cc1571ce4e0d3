import { createRecordDecoder, type EventCheck, type EventDecoder, type EventPosition } from '../consumer';
import type { Metrics } from '../metrics';
import { UUID, type DecodedInventoryEvent, type InventoryEventType, type ShortItem, type StockLine } from '../registry';

/** What an order's stock came to, as the inventory service announced it. */
export type StockState = 'reserved' | 'rejected' | 'released' | 'committed';

/** The stock state each inventory event announces. */
export const STOCK_STATE_OF: Readonly<Record<InventoryEventType, StockState>> = {
  InventoryReserved: 'reserved',
  InventoryRejected: 'rejected',
  InventoryReleased: 'released',
  InventoryCommitted: 'committed',
};

/** A short item as people read it: `ITEM-1 (asked 4, 1 available)`. */
export function describeShortItem({ itemId, requested, available }: ShortItem): string {
  return `${itemId} (asked ${requested}, ${available} available)`;
}

/** An inventory event fit to apply, with where it was read. */
export interface ValidInventoryEvent {
  type: InventoryEventType;
  eventId: string;
  orderId: string;
  occurredAt: Date;
  /** The order event it answers. */
  causationEventId: string;
  state: StockState;
  /** The lines reserved, released or committed (none for a rejection). */
  items: StockLine[];
  /** Each short item, for a rejection. */
  shortItems: ShortItem[];
  position: EventPosition;
}

/** What the consumer needs of the registry serde: decode one Confluent-framed inventory record. */
export type InventoryEventDecoder = EventDecoder<DecodedInventoryEvent>;

/** The check a decoded inventory event must pass to be applied: ids that can be ids, a real time. */
export function checkInventoryEvent(decoded: DecodedInventoryEvent, position: EventPosition): EventCheck<ValidInventoryEvent> {
  const { eventId, occurredAt, orderId, causationEventId } = decoded.event;
  if (!UUID.test(eventId)) return { ok: false, reason: `eventId must be a UUID, got '${eventId}'` };
  if (!UUID.test(causationEventId)) return { ok: false, reason: `causationEventId must be a UUID, got '${causationEventId}'` };
  if (orderId.trim() === '') return { ok: false, reason: 'orderId must be a non-empty string' };
  if (Number.isNaN(occurredAt.getTime())) return { ok: false, reason: 'occurredAt is not a valid time' };
  const items = 'items' in decoded.event ? decoded.event.items.map(({ itemId, quantity }) => ({ itemId, quantity })) : [];
  const shortItems = 'shortItems' in decoded.event ? decoded.event.shortItems.map(({ itemId, requested, available }) => ({ itemId, requested, available })) : [];
  const lines = decoded.type === 'InventoryRejected' ? shortItems : items;
  if (lines.length === 0) return { ok: false, reason: `${decoded.type} names no item` };
  const bad = [...items.filter((line) => line.quantity < 1), ...shortItems.filter((line) => line.requested < 1 || line.available < 0)];
  if (bad.length > 0 || lines.some((line) => line.itemId.trim() === '')) return { ok: false, reason: `${decoded.type} names an item without an id, or a quantity below 1: ${JSON.stringify(bad[0] ?? lines)}` };
  return {
    ok: true,
    event: { type: decoded.type, eventId: eventId.toLowerCase(), orderId, occurredAt, causationEventId: causationEventId.toLowerCase(), state: STOCK_STATE_OF[decoded.type], items, shortItems, position },
  };
}

/** Turns records of the inventory events topic into valid events and poison (see checkInventoryEvent). */
export function createInventoryRecordDecoder({ decoder, topic, metrics }: { decoder: InventoryEventDecoder; topic: string; metrics: Metrics }) {
  return createRecordDecoder({ decoder, topic, metrics, check: checkInventoryEvent });
}
