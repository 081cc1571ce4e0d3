import type { Admin } from 'kafkajs';
import type { Metrics } from '../metrics';

/**
 * Sets the consumer-lag gauge of each partition of `topic`: records between the group's committed
 * offset (or the log start, before its first commit) and the end of the log.
 */
export async function refreshConsumerLag({ admin, topic, groupId, metrics }: { admin: Admin; topic: string; groupId: string; metrics: Metrics }): Promise<void> {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const committedByPartition = new Map((committed[0]?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]));
  for (const end of ends) {
    const position = committedByPartition.get(end.partition) ?? -1n;
    const lag = BigInt(end.high) - (position < 0n ? BigInt(end.low) : position);
    metrics.consumerLag.set({ topic, partition: String(end.partition) }, Number(lag < 0n ? 0n : lag));
  }
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
