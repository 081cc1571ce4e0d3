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
  await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: ORDER_TOPIC_PARTITIONS })), waitForLeaders: true });
  return missing;
}
