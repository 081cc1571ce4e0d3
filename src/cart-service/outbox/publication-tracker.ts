/** A request's wait for its outbox row to be published. */
export interface PublicationWait {
  /** Resolves true once the row is published, false when `timeoutMs` ran out first. */
  published(timeoutMs: number): Promise<boolean>;
  /** Forgets the wait (the transaction that wrote the row rolled back). */
  cancel(): void;
}

/**
 * Connects requests to the relay: a request registers the outbox ids it waits for before its
 * transaction commits (so an acknowledgement can never arrive unheard), and whoever learns that
 * rows were published — this process's relay, or a notification from another instance's —
 * reports their ids.
 */
export function createPublicationTracker() {
  const waiters = new Map<string, Set<() => void>>();

  function forget(outboxId: string, wake: () => void): void {
    const set = waiters.get(outboxId);
    set?.delete(wake);
    if (set?.size === 0) waiters.delete(outboxId);
  }

  return {
    expect(outboxId: string): PublicationWait {
      let wake: () => void = () => undefined;
      let done = false;
      const publication = new Promise<void>((resolve) => {
        wake = () => {
          done = true;
          resolve();
        };
      });
      const set = waiters.get(outboxId) ?? new Set();
      set.add(wake);
      waiters.set(outboxId, set);
      return {
        async published(timeoutMs) {
          if (done) return true;
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), timeoutMs);
          });
          const outcome = await Promise.race([publication.then(() => true), timedOut]);
          clearTimeout(timer);
          forget(outboxId, wake);
          return outcome;
        },
        cancel: () => forget(outboxId, wake),
      };
    },

    /** Wakes every request waiting for one of `outboxIds`. */
    published(outboxIds: Iterable<string>): void {
      for (const outboxId of outboxIds) {
        const set = waiters.get(outboxId);
        if (!set) continue;
        waiters.delete(outboxId);
        set.forEach((wake) => wake());
      }
    },

    /** Requests waiting right now (for tests and metrics). */
    get waiting(): number {
      return waiters.size;
    },
  };
}

export type PublicationTracker = ReturnType<typeof createPublicationTracker>;
