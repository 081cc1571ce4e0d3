import { createRecordDecoder, type EventDecoder, type EventPosition } from '../lib/consumer';
import { checkInventoryEvent } from '../lib/inventory-events';
import type { Metrics } from '../lib/metrics';
import type { DecodedInventoryEvent } from '../lib/registry';

/** A decoded inventory event that passed its checks, with where it was read: what a notification tells of. */
export type InventoryNotice = DecodedInventoryEvent & { position: EventPosition };

/**
 * Turns records of the inventory events topic into notices and poison, with the checks every
 * consumer of that topic applies (checkInventoryEvent), keeping the decoded event whole.
 */
export function createInventoryNoticeDecoder({ decoder, topic, metrics }: { decoder: EventDecoder<DecodedInventoryEvent>; topic: string; metrics: Metrics }) {
  return createRecordDecoder<DecodedInventoryEvent, InventoryNotice>({
    decoder,
    topic,
    metrics,
    check(decoded, position) {
      const checked = checkInventoryEvent(decoded, position);
      return checked.ok ? { ok: true, event: { ...decoded, position } } : checked;
    },
  });
}
