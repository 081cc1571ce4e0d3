import { createMicroBatcher } from '../batching';

/** Sends a batch of items in one produce call; resolves when Kafka acknowledged all of them. */
export type SendBatch<T> = (items: T[]) => Promise<void>;

export interface BatchingProducerOptions<T> {
  /** Longest a publish waits for company while a send is in flight; 0 sends every item on its own, at once. */
  lingerMs: number;
  /** Most items in one send; a full batch leaves at once. */
  maxBatch: number;
  /** With `maxWeight`: an item's size in bytes, so one send stays below the broker's limit. */
  weigh?: (item: T) => number;
  maxWeight?: number;
  /** Most sends in flight at once; 1 suits a producer that sends one transaction at a time. */
  maxInFlight?: number;
  send: SendBatch<T>;
}

/** Gathers concurrent publishes into few sends, all-or-nothing per send. */
export interface BatchingProducer<T> {
  /** Resolves when the send that carried `item` was acknowledged; rejects with that send's error. */
  publish(item: T): Promise<void>;
  /** Sends whatever waits and resolves when every send in flight has settled. */
  flush(): Promise<void>;
}

/**
 * Micro-batching in front of a producer (see createMicroBatcher for when a batch leaves):
 * one produce call per batch, and every publish of it shares that call's fate.
 */
export function createBatchingProducer<T>({ send, ...limits }: BatchingProducerOptions<T>): BatchingProducer<T> {
  const batcher = createMicroBatcher<T, void>({
    ...limits,
    process: async (items) => {
      await send(items);
      return items.map(() => ({ ok: true, value: undefined }));
    },
  });
  return { publish: (item) => batcher.submit(item), flush: () => batcher.flush() };
}
