import type { KafkaConfig } from 'kafkajs';
import type { Logger } from '../../logger';
import type { Knex } from '../db';
import type { RetryPolicy } from '../retry';

/** What a test (or the benchmark) may hand a consuming service instead of what it builds from its config. */
export interface ServiceDeps {
  /** A database to use instead of one built from DATABASE_URL (tests pass their own schema); the caller migrates and closes it. */
  knex?: Knex;
  logger?: Logger;
  /** HTTP port overriding the service's configured one (0 = any free port, as tests use). */
  port?: number;
  /** Backoff of transient failures (tests shorten it). */
  retry?: RetryPolicy;
  /** kafkajs client overrides (tests use faster retries). */
  kafkaOverrides?: Partial<KafkaConfig>;
  /** How long the start retries its Kafka steps through transient failures (KAFKA_START_DEADLINE_MS; a test of a failed start uses 0). */
  kafkaStartDeadlineMs?: number;
}
