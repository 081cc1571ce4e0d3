import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config';

const ROOT = join(__dirname, '..', '..', '..');

interface ComposeService {
  image?: string;
  profiles?: string[];
  build?: string;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
}

// Compose reads YAML merge keys (`<<: *anchor`), which the Kafka nodes share their settings through.
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

/** The host side of a "127.0.0.1:HOST:CONTAINER" port mapping. */
function hostPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((mapping) => Number(mapping.split(':').at(-2)));
}

// Docker cannot run on the project's machines, so the file's structure is what can be checked.
describe('docker-compose.yml', () => {
  it('runs Kafka in KRaft mode, the Confluent registry, PostgreSQL, Prometheus, Grafana and both services, without ZooKeeper', () => {
    expect(Object.keys(services)).to.have.members(['kafka', 'kafka-2', 'kafka-3', 'schema-registry', 'postgres', 'prometheus', 'grafana', 'cart-service', 'order-service', 'inventory-service', 'notification-service']);
    expect(services.kafka?.environment?.KAFKA_PROCESS_ROLES).to.equal('broker,controller');
    expect(JSON.stringify(compose)).not.to.match(/zookeeper/i);
    expect(services['schema-registry']?.image).to.match(/^confluentinc\/cp-schema-registry:/);
  });

  it('runs two more Kafka nodes in the cluster profile, which compose.cluster.env turns on with a quorum of three and three replicas', () => {
    expect(services.kafka?.profiles, 'node 1 always runs').to.equal(undefined);
    for (const node of ['kafka-2', 'kafka-3']) expect(services[node]?.profiles, node).to.deep.equal(['cluster']);
    const nodeIds = ['kafka', 'kafka-2', 'kafka-3'].map((node) => String(services[node]?.environment?.KAFKA_NODE_ID));
    expect(nodeIds).to.deep.equal(['1', '2', '3']);
    const env = Object.fromEntries(
      readFileSync(join(ROOT, 'compose.cluster.env'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(env).to.include({ COMPOSE_PROFILES: 'cluster', KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' });
    expect(env.KAFKA_VOTERS).to.equal('1@kafka:29093,2@kafka-2:29093,3@kafka-3:29093');
    expect(env.COMPOSE_KAFKA_BROKERS).to.equal('kafka:9092,kafka-2:9092,kafka-3:9092');
    // Every node reads the quorum and replication from those variables; a node with its own values would split the cluster.
    for (const node of ['kafka', 'kafka-2', 'kafka-3']) {
      expect(services[node]?.environment).to.include({ KAFKA_CONTROLLER_QUORUM_VOTERS: '${KAFKA_VOTERS:-1@kafka:29093}', KAFKA_MIN_INSYNC_REPLICAS: '${KAFKA_MIN_INSYNC_REPLICAS:-1}' });
    }
    expect(services['cart-service']?.environment?.KAFKA_BROKERS).to.equal('${COMPOSE_KAFKA_BROKERS:-kafka:9092}');
    // The registry waits for the two further nodes when they run (so the services, which wait for it, do too).
    for (const node of ['kafka-2', 'kafka-3']) expect(services['schema-registry']?.depends_on?.[node]).to.deep.equal({ condition: 'service_healthy', required: false });
  });

  it('gives every service a health check, and every dependency waits for a healthy service that exists', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck?.test?.length ?? 0, `${name} health check`).to.be.greaterThan(0);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services, `${name} depends on ${dependency}`).to.have.property(dependency);
        expect(condition, `${name} -> ${dependency}`).to.equal('service_healthy');
      }
    }
  });

  it('publishes the same loopback ports as the local stack, so the default configuration reaches either', () => {
    const defaults = loadConfig({});
    expect(hostPorts(services.kafka!)).to.deep.equal([Number(defaults.KAFKA_BROKERS.split(':')[1])]);
    expect(hostPorts(services['schema-registry']!)).to.deep.equal([Number(new URL(defaults.SCHEMA_REGISTRY_URL).port)]);
    expect(hostPorts(services.postgres!)).to.deep.equal([Number(new URL(defaults.DATABASE_URL).port)]);
    expect(hostPorts(services['cart-service']!)).to.deep.equal([defaults.CART_SERVICE_PORT]);
    expect(hostPorts(services['order-service']!)).to.deep.equal([defaults.ORDER_SERVICE_PORT]);
    expect(hostPorts(services['inventory-service']!)).to.deep.equal([defaults.INVENTORY_SERVICE_PORT]);
    expect(hostPorts(services['notification-service']!)).to.deep.equal([defaults.NOTIFICATION_SERVICE_PORT]);
    for (const service of Object.values(services)) {
      for (const mapping of service.ports ?? []) expect(mapping).to.match(/^127\.0\.0\.1:/);
    }
  });

  it('mounts only paths that exist in the repository', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.')) continue; // a named volume
        expect(existsSync(join(ROOT, source)), `${name} mounts ${source}`).to.equal(true);
      }
    }
  });

  it('provisions Grafana with the Prometheus datasource and a dashboard folder that holds dashboards', () => {
    const datasource = parse(readFileSync(join(ROOT, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ type: string; url: string }> };
    expect(datasource.datasources[0]).to.include({ type: 'prometheus', url: 'http://prometheus:9090' });
    const provider = parse(readFileSync(join(ROOT, 'grafana/provisioning/dashboards/orderflow.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
    const grafanaVolumes = services.grafana?.volumes ?? [];
    const mount = grafanaVolumes.find((volume) => volume.split(':')[1] === provider.providers[0]?.options.path);
    expect(mount, 'the provider path is mounted from the repository').to.be.a('string');
  });

  it('builds every service from the Dockerfile with entry points that exist in src/', () => {
    expect(existsSync(join(ROOT, 'Dockerfile'))).to.equal(true);
    for (const name of ['cart-service', 'order-service', 'inventory-service', 'notification-service']) {
      const command = services[name]?.command ?? [];
      expect(services[name]?.build).to.equal('.');
      expect(command.join(' ')).to.equal(`node dist/src/${name}/main.js`);
      expect(existsSync(join(ROOT, 'src', name, 'main.ts')), `src/${name}/main.ts`).to.equal(true);
    }
  });
});
