/** Sends a batch of items in one produce call; resolves when Kafka acknowledged all of them. */
export type SendBatch<T> = (items: T[]) => Promise<void>;

export interface BatchingProducerOptions<T> {
  /** Longest a publish waits for company while a send is in flight; 0 sends every item on its own, at once. */
  lingerMs: number;
  /** Most items in one send; a full batch leaves at once. */
  maxBatch: number;
  send: SendBatch<T>;
}

/** Gathers concurrent publishes into few sends. See {@link createBatchingProducer}. */
export interface BatchingProducer<T> {
  /** Resolves when the send that carried `item` was acknowledged; rejects with that send's error. */
  publish(item: T): Promise<void>;
  /** Sends whatever waits and resolves when every send in flight has settled. */
  flush(): Promise<void>;
}

interface Waiting<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Micro-batching in front of a producer, adaptive to load:
 * - a publish that finds no send in flight leaves at once (no added latency when traffic is light);
 * - publishes arriving while a send is in flight wait for it, and leave together as one send
 *   as soon as it settles — or after `lingerMs` at the latest, or at once when `maxBatch` wait.
 * Under load every produce round trip therefore carries everything that arrived during the
 * previous one, while the wait a request can add stays bounded by `lingerMs`.
 *
 * With `lingerMs` 0 every publish is its own send, sent at once (the baseline the bench compares).
 */
export function createBatchingProducer<T>({ lingerMs, maxBatch, send }: BatchingProducerOptions<T>): BatchingProducer<T> {
  const waiting: Waiting<T>[] = [];
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | undefined;

  function sendNow(batch: Waiting<T>[]): void {
    const sent = send(batch.map((entry) => entry.item)).then(
      () => batch.forEach((entry) => entry.resolve()),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
    inFlight.add(sent);
    void sent.finally(() => {
      inFlight.delete(sent);
      // Whoever arrived during the round trip has waited long enough: send them now.
      if (waiting.length > 0) dispatch();
    });
  }

  function dispatch(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (waiting.length > 0) sendNow(waiting.splice(0, maxBatch));
  }

  function schedule(): void {
    if (lingerMs === 0 || inFlight.size === 0 || waiting.length >= maxBatch) dispatch();
    else timer ??= setTimeout(dispatch, lingerMs);
  }

  return {
    publish(item) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        schedule();
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
