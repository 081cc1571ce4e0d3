import { ConfigError, loadConfig } from '../../src/config';

/** The platform's own topics as configured: the ones whose partitions `status` lists one by one. */
function platformTopics(): string[] {
  try {
    const config = loadConfig();
    return [config.ORDER_EVENTS_TOPIC, config.INVENTORY_EVENTS_TOPIC, config.DEAD_LETTER_TOPIC, config.INVENTORY_DEAD_LETTER_TOPIC, config.NOTIFICATION_DEAD_LETTER_TOPIC];
  } catch (error) {
    // A bad setting is the services' problem to report; the cluster's health can still be shown.
    if (error instanceof ConfigError) return [];
    throw error;
  }
}

/**
 * Lines for `stack:status` on a cluster: each partition of the platform's topics with its leader
 * and in-sync replicas, then a count over every topic of the partitions short of replicas or
 * without a leader — the two things to look at after a node was lost.
 */
export async function describePartitions(bootstrap: string): Promise<string[]> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 2_000 }).admin();
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata();
    const lines: string[] = [];
    const wanted = new Set(platformTopics());
    let partitions = 0;
    let underReplicated = 0;
    let leaderless = 0;
    for (const topic of [...topics].sort((a, b) => a.name.localeCompare(b.name))) {
      for (const partition of [...topic.partitions].sort((a, b) => a.partitionId - b.partitionId)) {
        partitions += 1;
        if (partition.isr.length < partition.replicas.length) underReplicated += 1;
        if (partition.leader < 0) leaderless += 1;
        if (wanted.has(topic.name)) {
          const leader = partition.leader < 0 ? 'none' : String(partition.leader);
          lines.push(`${topic.name}[${partition.partitionId}]  leader ${leader}  replicas ${partition.replicas.join(',')}  isr ${partition.isr.join(',')}`);
        }
      }
    }
    lines.push(`${topics.length} topics, ${partitions} partitions: ${underReplicated} under-replicated, ${leaderless} without a leader`);
    return lines;
  } finally {
    await admin.disconnect();
  }
}
