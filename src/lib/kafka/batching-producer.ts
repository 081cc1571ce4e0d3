/** Sends a batch of items in one produce call; resolves when Kafka acknowledged all of them. */
export type SendBatch<T> = (items: T[]) => Promise<void>;

export interface BatchingProducerOptions<T> {
  /** How long the first item of a batch waits for company; 0 sends every item on its own. */
  lingerMs: number;
  /** Most items in one send; a full batch goes at once without waiting for the linger. */
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
 * Micro-batching in front of a producer: publishes that arrive within `lingerMs` of each other
 * share one `send`, and at most one batch is in flight at a time, so publishes arriving during a
 * round trip form the next batch (which leaves as soon as the round trip ends). One send in
 * flight also keeps the idempotent producer's sequence numbers in order across batches.
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
      if (lingerMs > 0) dispatch();
    });
  }

  function dispatch(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (inFlight.size > 0 || waiting.length === 0) return;
    sendNow(waiting.splice(0, maxBatch));
  }

  function schedule(): void {
    if (lingerMs === 0) {
      sendNow(waiting.splice(0));
      return;
    }
    if (inFlight.size > 0) return; // the batch in flight dispatches the next one when it settles
    if (waiting.length >= maxBatch) dispatch();
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
