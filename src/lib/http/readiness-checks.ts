import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import type { ReadinessCheck } from './app';

/** Kafka is ready when the cluster answers a metadata request through `admin` (already connected or connectable). */
export function kafkaReadiness(admin: Admin): ReadinessCheck {
  return {
    name: 'kafka',
    async check() {
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      if (brokers.length === 0) throw new Error('the cluster reports no brokers');
    },
  };
}

/** The registry is ready when it lists its subjects. */
export function registryReadiness(registryUrl: string): ReadinessCheck {
  return {
    name: 'registry',
    async check() {
      const response = await fetch(`${registryUrl.replace(/\/$/, '')}/subjects`, { signal: AbortSignal.timeout(2_000) });
      if (!response.ok) throw new Error(`GET /subjects answered ${response.status}`);
    },
  };
}

/** The database is ready when it answers a trivial query. */
export function databaseReadiness(knex: Knex): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      await knex.raw('SELECT 1');
    },
  };
}
