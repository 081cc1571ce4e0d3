import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DATA_DIR, LOG_DIR, RUN_DIR } from './paths';
import { STACK_PORTS } from './ports';
import { StackError } from './process';

/**
 * Node n of a cluster listens `KAFKA_NODE_PORT_STEP * (n - 1)` above node 1's ports, so the
 * single-node default and node 1 of a cluster share the ports clients already know.
 */
export const KAFKA_NODE_PORT_STEP = 100;

/** A cluster smaller than three cannot both keep two in-sync copies and lose a node, so 2 is refused. */
export const KAFKA_NODE_COUNTS = [1, 3, 4, 5] as const;

/** Where the number of nodes of the running Kafka is kept, so `status`, `down` and a later `up` find them all. */
const NODE_COUNT_FILE = join(RUN_DIR, 'kafka-nodes');

/** One KRaft node (broker and controller in one process) of the local stack. */
export interface KafkaNode {
  id: number;
  port: number;
  controllerPort: number;
  /** Its SASL_SSL listener (TLS and SCRAM), beside the PLAINTEXT one. */
  saslSslPort: number;
  /** Its server.properties and its log folder live here. */
  dataDir: string;
  configFile: string;
  pidFile: string;
  logFile: string;
}

/**
 * The nodes of a `count`-node Kafka. The single node keeps the folders it always had; a cluster's
 * nodes have folders of their own, so switching between the two never mixes their data.
 */
export function kafkaNodes(count: number): KafkaNode[] {
  return Array.from({ length: count }, (_, index) => {
    const id = index + 1;
    const dataDir = count === 1 ? join(DATA_DIR, 'kafka') : join(DATA_DIR, 'kafka-cluster', `node-${id}`);
    const name = id === 1 ? 'kafka' : `kafka-node-${id}`;
    return {
      id,
      port: STACK_PORTS.kafka + KAFKA_NODE_PORT_STEP * index,
      controllerPort: STACK_PORTS.kafkaController + KAFKA_NODE_PORT_STEP * index,
      saslSslPort: STACK_PORTS.kafkaSaslSsl + KAFKA_NODE_PORT_STEP * index,
      dataDir,
      configFile: join(dataDir, 'server.properties'),
      pidFile: join(RUN_DIR, `${name}.pid`),
      logFile: join(LOG_DIR, `${name}.log`),
    };
  });
}

/** Parses `--brokers`' value: a count this stack can run, or a StackError saying which it can. */
export function parseNodeCount(raw: string): number {
  const count = Number(raw);
  if (!(KAFKA_NODE_COUNTS as readonly number[]).includes(count)) {
    throw new StackError(`--brokers must be one of ${KAFKA_NODE_COUNTS.join(', ')}, got '${raw}' (2 nodes could not lose one and still keep two in-sync copies)`);
  }
  return count;
}

/** How many nodes the Kafka started last has, when it was started and not stopped since. */
export function recordedNodeCount(): number | undefined {
  if (!existsSync(NODE_COUNT_FILE)) return undefined;
  const count = Number(readFileSync(NODE_COUNT_FILE, 'utf8').trim());
  return (KAFKA_NODE_COUNTS as readonly number[]).includes(count) ? count : undefined;
}

export function recordNodeCount(count: number): void {
  mkdirSync(dirname(NODE_COUNT_FILE), { recursive: true });
  writeFileSync(NODE_COUNT_FILE, `${count}\n`);
}

export function forgetNodeCount(): void {
  rmSync(NODE_COUNT_FILE, { force: true });
}

/** The bootstrap list of the local Kafka as it runs (or would start): every node, so losing one does not cut a client off. */
export function kafkaBootstrap(): string {
  return kafkaNodes(recordedNodeCount() ?? 1)
    .map((node) => `127.0.0.1:${node.port}`)
    .join(',');
}
