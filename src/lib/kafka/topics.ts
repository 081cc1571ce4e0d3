import type { Admin } from 'kafkajs';

/** A Kafka topic name, as a pattern body (no anchors): what Kafka itself accepts. */
export const TOPIC_NAME = '[a-zA-Z0-9._-]{1,249}';

/** Partitions of the topics the services create; events of one order always share one of them (keyed by order id). */
export const ORDER_TOPIC_PARTITIONS = 3;

/**
 * Creates the topics that do not exist yet and waits for their leaders, so whichever
 * service starts first — producer or consumer — finds them. Existing topics are left as they are.
 */
export async function ensureTopics(admin: Admin, topics: string[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return [];
  // Another process may create the same topic at the same moment; createTopics then reports
  // nothing created for it, which is just as good.
  await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: ORDER_TOPIC_PARTITIONS })), waitForLeaders: false });
  await waitForLeaders(admin, missing);
  return missing;
}

const LEADERS_TIMEOUT_MS = 30_000;
const LEADERS_POLL_MS = 100;

/**
 * Waits until every partition of `topics` has a leader. Not createTopics' own waitForLeaders:
 * in a cluster the broker it asks may not know a topic the controller just created, and it
 * gives up on that answer (UNKNOWN_TOPIC_OR_PARTITION) instead of asking again.
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADERS_TIMEOUT_MS;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      if (metadata.topics.every(({ partitions }) => partitions.length > 0 && partitions.every((partition) => partition.leader >= 0))) return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    if (Date.now() >= deadline) throw new Error(`the partitions of ${topics.join(', ')} have no leader after ${LEADERS_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, LEADERS_POLL_MS));
  }
}
