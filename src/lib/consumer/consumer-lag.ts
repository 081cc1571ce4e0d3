import type { Admin } from 'kafkajs';
import type { Metrics } from '../metrics';

/** How far a consumer group is behind on one partition. */
export interface PartitionLag {
  partition: number;
  /** The group's committed offset (the next record it will read); null before its first commit. */
  committedOffset: string | null;
  /** The end of the log (the offset the next record will get). */
  endOffset: string;
  /** Records between the committed offset (or the log start, before a first commit) and the end. */
  lag: number;
}

/** The lag of `groupId` on every partition of `topic`, in partition order. */
export async function consumerLag({ admin, topic, groupId }: { admin: Admin; topic: string; groupId: string }): Promise<PartitionLag[]> {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const committedByPartition = new Map((committed[0]?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]));
  return ends
    .map((end) => {
      const position = committedByPartition.get(end.partition) ?? -1n;
      const lag = BigInt(end.high) - (position < 0n ? BigInt(end.low) : position);
      return { partition: end.partition, committedOffset: position < 0n ? null : String(position), endOffset: end.high, lag: Number(lag < 0n ? 0n : lag) };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** Sets the consumer-lag gauge of each partition of `topic` (see {@link consumerLag}). */
export async function refreshConsumerLag({ admin, topic, groupId, metrics }: { admin: Admin; topic: string; groupId: string; metrics: Metrics }): Promise<void> {
  for (const { partition, lag } of await consumerLag({ admin, topic, groupId })) metrics.consumerLag.set({ topic, partition: String(partition) }, lag);
}

/**
 * Runs `refresh` every `intervalMs` (0: never), one run at a time (a slow run skips the ticks it
 * overlaps). The returned stop clears the timer and waits for a run in flight. `refresh` reports
 * its own failures.
 */
export function everyInterval(intervalMs: number, refresh: () => Promise<void>): () => Promise<void> {
  if (intervalMs <= 0) return async () => undefined;
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= refresh()
      .catch(() => undefined)
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
