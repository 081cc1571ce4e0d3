import type { Config } from '../src/config';

export const SERVICES = ['cart-service', 'order-service', 'inventory-service', 'notification-service'] as const;
export type Service = (typeof SERVICES)[number];

/** Instance n of a service listens this far above the service's port times n, so each instance's port follows from its number. */
export const INSTANCE_PORT_STEP = 10;
const MOST_INSTANCES = 9;

/** The setting that holds each service's port. */
const PORT_SETTING = {
  'cart-service': 'CART_SERVICE_PORT',
  'order-service': 'ORDER_SERVICE_PORT',
  'inventory-service': 'INVENTORY_SERVICE_PORT',
  'notification-service': 'NOTIFICATION_SERVICE_PORT',
} as const satisfies Record<Service, keyof Config>;

/** One process `npm start` runs: which service, its number among that service's instances, its port. */
export interface Instance {
  service: Service;
  index: number;
  port: number;
  /** The environment it runs with on top of the caller's: its own port. */
  env: Record<string, string>;
}

/**
 * Reads `--instances cart-service=2,order-service=3`: how many processes of each named service
 * to run (the others run one). Throws an Error naming what is wrong.
 */
export function parseInstanceCounts(spec: string): Map<Service, number> {
  const counts = new Map<Service, number>();
  for (const entry of spec.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([a-z-]+)=(\d+)$/.exec(entry);
    if (!match) throw new Error(`'${entry}' is not <service>=<count>, such as cart-service=2`);
    const [, name = '', rawCount = ''] = match;
    if (!(SERVICES as readonly string[]).includes(name)) throw new Error(`unknown service '${name}'; choose from ${SERVICES.join(', ')}`);
    const count = Number(rawCount);
    if (count < 1 || count > MOST_INSTANCES) throw new Error(`${name}=${rawCount}: the count must be from 1 to ${MOST_INSTANCES}`);
    if (counts.has(name as Service)) throw new Error(`${name} is named twice`);
    counts.set(name as Service, count);
  }
  return counts;
}

/**
 * Every process to run: each service as many times as counted (once by default), instance n on
 * the service's configured port plus n × INSTANCE_PORT_STEP. Instances of one service share its
 * database schema and consumer group, so they split the partitions (consumers) or elect one
 * outbox relay leader (cart) among themselves.
 */
export function planInstances(config: Config, counts: ReadonlyMap<Service, number>): Instance[] {
  const plan = SERVICES.flatMap((service) =>
    Array.from({ length: counts.get(service) ?? 1 }, (_, index) => {
      const port = config[PORT_SETTING[service]] + INSTANCE_PORT_STEP * index;
      return { service, index, port, env: { [PORT_SETTING[service]]: String(port) } };
    }),
  );
  const ports = new Map<number, Instance>();
  for (const instance of plan) {
    const clash = ports.get(instance.port);
    if (clash) throw new Error(`${instance.service} #${instance.index + 1} and ${clash.service} #${clash.index + 1} would both listen on port ${instance.port}; space the services' ports further apart`);
    if (instance.port > 65_535) throw new Error(`${instance.service} #${instance.index + 1} would listen on port ${instance.port}, above 65535`);
    ports.set(instance.port, instance);
  }
  return plan;
}
