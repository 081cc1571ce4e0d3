import type { Admin } from 'kafkajs';
import { Router } from 'express';
import { asUnavailable } from '../errors';
import { consumerLag } from '../lib/consumer';
import { success } from '../lib/http';
import { kafkaError } from '../lib/kafka';
import { EVENT_SCHEMAS } from '../generated';
import { EVENT_TYPES, subjectFor, type RegistryClient } from '../lib/registry';

export interface OperationsRoutesDeps {
  registry: RegistryClient;
  admin: Admin;
  /** The topic the order service consumes; its event subjects are the ones listed. */
  topic: string;
  groupId: string;
}

/**
 * What an operator watches besides the orders: the schema subjects of the consumed topic, with
 * their versions and compatibility modes, as the registry holds them; and the consumer group's lag
 * on each partition.
 */
export function operationsRoutes({ registry, admin, topic, groupId }: OperationsRoutesDeps): Router {
  const router = Router();

  /** The consumed topic's subjects, their versions (with schema ids) and compatibility modes. */
  async function schemaListing() {
    const globalCompatibility = (await registry.globalCompatibility()) ?? null;
    const subjects = await Promise.all(
      EVENT_TYPES.map(async (eventType) => {
        const subject = subjectFor(topic, EVENT_SCHEMAS[eventType].fullName);
        const numbers = (await registry.versions(subject)) ?? [];
        const versions = await Promise.all(numbers.map(async (version) => ({ version, id: (await registry.version(subject, version))?.id ?? null })));
        return { subject, eventType, compatibility: (await registry.compatibility(subject)) ?? globalCompatibility, versions };
      }),
    );
    return { registryUrl: registry.baseUrl, globalCompatibility, subjects };
  }

  router.get('/schemas', async (_req, res) => {
    const listing = await schemaListing().catch((error: unknown) => {
      throw asUnavailable('the schema registry', error);
    });
    res.json(success(`${listing.subjects.length} subjects of ${topic}`, listing));
  });

  router.get('/consumer-lag', async (_req, res) => {
    const partitions = await consumerLag({ admin, topic, groupId }).catch((error: unknown) => {
      throw asUnavailable('Kafka', kafkaError(error));
    });
    const total = partitions.reduce((sum, partition) => sum + partition.lag, 0);
    res.json(success(`${total} events not yet consumed by ${groupId}`, { topic, groupId, total, partitions }));
  });

  return router;
}
