/** What processing one item of a batch came to: its result, or the error its caller receives. */
export type BatchOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Processes a batch in one go (one transaction, one produce call ...). It returns one outcome
 * per item, in order; when it throws, every caller of the batch receives that error.
 */
export type ProcessBatch<T, R> = (items: T[]) => Promise<Array<BatchOutcome<R>>>;

export interface MicroBatcherOptions<T, R> {
  /** false: every item is its own batch, processed at once (the baseline benchmarks compare). */
  batching: boolean;
  /** Most items in one batch. */
  maxBatch: number;
  /** With `maxWeight`: an item's size (bytes, say). A batch stops short of exceeding `maxWeight`; a single heavier item still goes alone. */
  weigh?: (item: T) => number;
  maxWeight?: number;
  process: ProcessBatch<T, R>;
}

/** Gathers concurrent submissions into few batches. See {@link createMicroBatcher}. */
export interface MicroBatcher<T, R> {
  /** Resolves with the item's own outcome once the batch that carried it has been processed. */
  submit(item: T): Promise<R>;
  /** Processes whatever waits and resolves when every batch has settled. */
  flush(): Promise<void>;
}

interface Waiting<T, R> {
  item: T;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/**
 * Micro-batching with one batch in flight at a time, adaptive to load and without timers: an
 * item that finds nothing in flight leaves at once (no added latency when traffic is light);
 * items arriving while a batch is in flight wait for it and leave together as the next batch.
 * Under load every round trip therefore carries everything that arrived during the previous
 * one, and an item never waits longer than one round trip for company. It suits a downstream
 * that works one batch at a time anyway, such as a database transaction.
 */
export function createMicroBatcher<T, R>({ batching, maxBatch, weigh, maxWeight = Infinity, process }: MicroBatcherOptions<T, R>): MicroBatcher<T, R> {
  const waiting: Waiting<T, R>[] = [];
  const inFlight = new Set<Promise<void>>();

  function processNow(batch: Waiting<T, R>[]): void {
    const settled = process(batch.map((entry) => entry.item)).then(
      (outcomes) =>
        batch.forEach((entry, index) => {
          const outcome = outcomes[index];
          if (outcome === undefined) entry.reject(new Error(`the batch returned no outcome for item ${index}`));
          else if (outcome.ok) entry.resolve(outcome.value);
          else entry.reject(outcome.error);
        }),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
    inFlight.add(settled);
    void settled.finally(() => {
      inFlight.delete(settled);
      dispatch();
    });
  }

  /** How many of the waiting items the next batch takes: up to `maxBatch`, and up to `maxWeight` when items are weighed. */
  function nextBatchSize(): number {
    if (!weigh) return Math.min(maxBatch, waiting.length);
    let size = 0;
    let weight = 0;
    for (const { item } of waiting) {
      const itemWeight = weigh(item);
      if (size >= maxBatch || (size > 0 && weight + itemWeight > maxWeight)) break;
      size += 1;
      weight += itemWeight;
    }
    return size;
  }

  function dispatch(): void {
    if (!batching) {
      while (waiting.length > 0) processNow(waiting.splice(0, 1));
    } else if (inFlight.size === 0 && waiting.length > 0) {
      processNow(waiting.splice(0, nextBatchSize()));
    }
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        dispatch();
      });
    },
    async flush() {
      while (waiting.length > 0 || inFlight.size > 0) {
        dispatch();
        await Promise.allSettled([...inFlight]);
      }
    },
  };
}
