import { Kafka, KafkaJSDeleteGroupsError, logLevel, type Admin } from 'kafkajs';
import { Client, escapeIdentifier } from 'pg';
import { EVENT_SCHEMAS } from '../../src/generated';
import { databaseSsl, type DatabaseConnectionSettings } from '../../src/lib/db';
import { kafkaSecurity, type KafkaConnectionSettings } from '../../src/lib/kafka';
import { subjectFor } from '../../src/lib/registry';

/**
 * What a bench run creates on the shared local stack — a database, topics with their registry
 * subjects, a consumer group — and how it is removed again, so runs leave nothing behind.
 */

export interface BenchDatabase {
  /** DATABASE_URL of the new database. */
  url: string;
  drop(): Promise<void>;
}

/** CREATE DATABASE `name` on the server of DATABASE_URL; the servers under test migrate it themselves, as at any start. */
export async function createBenchDatabase(server: DatabaseConnectionSettings, name: string): Promise<BenchDatabase> {
  await onServer(server, (client) => client.query(`CREATE DATABASE ${escapeIdentifier(name)}`));
  const url = new URL(server.DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE: a connection a killed server left behind must not keep the database alive.
    drop: () => onServer(server, (client) => client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`)).then(() => undefined),
  };
}

async function onServer<T>(server: DatabaseConnectionSettings, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: server.DATABASE_URL, ssl: databaseSsl(server), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Deletes those of `topics` that exist, and the consumer `groups` (which must have no members left). */
export async function deleteKafkaLeftovers(stack: KafkaConnectionSettings, { topics, groups }: { topics: string[]; groups: string[] }): Promise<void> {
  // Not the project's client: its logger writes JSON lines to stdout, where the results go.
  const admin = new Kafka({ clientId: 'orderflow-bench-cleanup', brokers: stack.KAFKA_BROKERS.split(','), ...kafkaSecurity(stack), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((topic) => existing.has(topic));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
    if (groups.length > 0) await deleteGroups(admin, groups);
  } finally {
    await admin.disconnect();
  }
}

async function deleteGroups(admin: Admin, groups: string[]): Promise<void> {
  try {
    await admin.deleteGroups(groups);
  } catch (error) {
    // A group that never committed an offset does not exist: nothing was left behind.
    const neverCreated = error instanceof KafkaJSDeleteGroupsError && error.groups.every((group) => group.error?.type === 'GROUP_ID_NOT_FOUND');
    if (!neverCreated) throw error;
  }
}

/** Deletes, soft then permanently, the subjects the event schemas got under `topics` (TopicRecordNameStrategy). */
export async function deleteRegistrySubjects(registryUrl: string, topics: string[]): Promise<void> {
  const subjects = topics.flatMap((topic) => Object.values(EVENT_SCHEMAS).map(({ fullName }) => subjectFor(topic, fullName)));
  for (const subject of subjects) {
    const base = `${registryUrl}/subjects/${encodeURIComponent(subject)}`;
    for (const url of [base, `${base}?permanent=true`]) {
      const response = await fetch(url, { method: 'DELETE' });
      // 404: never registered (no event of that type was encoded), or gone already.
      if (!response.ok && response.status !== 404) throw new Error(`DELETE ${url} answered ${response.status}: ${await response.text()}`);
    }
  }
}
