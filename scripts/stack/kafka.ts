import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentStatus, StackComponent } from './component';
import { describePartitions } from './kafka-partitions';
import { credentialsFingerprint, ensureScramCredentials, readScramCredentials, SCRAM_CREDENTIALS_FILE, scramUserCommands, withSaslSslListener, type SaslSslListener } from './kafka-sasl-ssl';
import { forgetNodeCount, KAFKA_NODE_COUNTS, kafkaBootstrap, kafkaNodes, recordedNodeCount, recordNodeCount, type KafkaNode } from './kafka-nodes';
import { assertJavaTools, runMaven } from './maven';
import { CACHE_DIR, DATA_DIR, REPO_ROOT } from './paths';
import {
  assertPortFree,
  isPortOpen,
  pollUntil,
  readyTimeoutMs,
  runningPid,
  runOrFail,
  spawnDetached,
  StackError,
  stopProcessGroup,
} from './process';
import { CA_FILE, ensureServerKeystore } from './tls';

const KAFKA_VERSION = '3.9.1';
const HERE = join(REPO_ROOT, 'scripts', 'stack', 'kafka');
/** Jars of the broker and its tools; `scripts/kafka-*` read the same folder. */
export const KAFKA_LIBS = join(CACHE_DIR, 'kafka', 'libs');
const INSTALLED_MARKER = join(CACHE_DIR, 'kafka', `installed-${KAFKA_VERSION}`);
/** A cluster's nodes must be formatted with one cluster id; it is made once and kept beside their folders. */
const CLUSTER_ID_FILE = join(DATA_DIR, 'kafka-cluster', 'cluster-id');
const READY_TIMEOUT_MS = 90_000;
/** The largest cluster the stack runs: `down` looks for that many nodes. */
const MOST_NODES = Math.max(...KAFKA_NODE_COUNTS);

/**
 * On loopback, heartbeats stop only when a node is gone: the cluster fences a silent node after
 * 4 s instead of the default 9 s, so its partitions get new leaders, and writes to them resume,
 * sooner. (A single node is never fenced by itself: it keeps the defaults.)
 */
const CLUSTER_FAILOVER = { 'broker.heartbeat.interval.ms': 1_000, 'broker.session.timeout.ms': 4_000 } as const;

/** Replication of a cluster of three or more: each partition on three nodes, a write acknowledged once two hold it. */
const CLUSTER_REPLICATION = { factor: 3, minInSync: 2 } as const;

export interface KafkaServerOptions {
  /** This node's id, 1 for the single node. */
  nodeId?: number;
  port: number;
  controllerPort: number;
  logDir: string;
  /** Controller port of every node of the quorum by id; the node alone when left out. */
  quorum?: ReadonlyArray<{ id: number; controllerPort: number }>;
  /** A SASL_SSL listener beside the PLAINTEXT one. */
  saslSsl?: SaslSslListener;
}

/**
 * The server.properties of one combined broker + controller in KRaft mode (no ZooKeeper) on
 * loopback, alone or one of a quorum; tests that need brokers of their own to crash use it too.
 * In a quorum of three or more, topics default to three replicas and acknowledge a write once
 * two hold it (with the producers' acks=all), so losing one node loses nothing and stops nothing.
 */
export function kafkaServerProperties({ nodeId = 1, port, controllerPort, logDir, quorum = [{ id: nodeId, controllerPort }], saslSsl }: KafkaServerOptions): string {
  const replication = quorum.length >= CLUSTER_REPLICATION.factor ? CLUSTER_REPLICATION : { factor: 1, minInSync: 1 };
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': nodeId,
    'controller.quorum.voters': quorum.map((voter) => `${voter.id}@127.0.0.1:${voter.controllerPort}`).join(','),
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,
    'num.partitions': 3,
    'default.replication.factor': replication.factor,
    'min.insync.replicas': replication.minInSync,
    'offsets.topic.replication.factor': replication.factor,
    'transaction.state.log.replication.factor': replication.factor,
    'transaction.state.log.min.isr': replication.minInSync,
    'share.coordinator.state.topic.replication.factor': replication.factor,
    // A replica that lost data must never become leader: an acknowledged write would vanish.
    'unclean.leader.election.enable': 'false',
    ...(quorum.length > 1 ? CLUSTER_FAILOVER : {}),
    // Consumer groups form at once instead of after the default 3 s wait.
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': 'true',
    'log.retention.hours': 24,
    'log.segment.bytes': 64 * 1024 * 1024,
  };
  return Object.entries(saslSsl ? withSaslSslListener(settings, saslSsl) : settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}

function java(mainClass: string, args: string[], log4jConfig: string, heap: string): { command: string; args: string[] } {
  return {
    command: 'java',
    args: [
      '-Xms256m',
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${join(HERE, log4jConfig)}`,
      '-cp',
      `${KAFKA_LIBS}/*`,
      mainClass,
      ...args,
    ],
  };
}

/**
 * A random KRaft cluster id: 16 bytes, URL-safe base64 without padding, as `kafka-storage
 * random-uuid` makes them — never starting with "-", which Kafka's own Uuid.randomUuid() also
 * avoids: the storage tool would read such an id as an option.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** The single node makes a fresh id; a cluster's nodes share the one kept in CLUSTER_ID_FILE. */
function clusterIdFor(nodeCount: number): string {
  if (nodeCount === 1) return newClusterId();
  if (!existsSync(CLUSTER_ID_FILE)) {
    mkdirSync(join(DATA_DIR, 'kafka-cluster'), { recursive: true });
    writeFileSync(CLUSTER_ID_FILE, newClusterId());
  }
  return readFileSync(CLUSTER_ID_FILE, 'utf8').trim();
}

function formatStorageOnce(node: KafkaNode, clusterId: () => string): void {
  if (existsSync(join(node.dataDir, 'logs', 'meta.properties'))) return;
  const { command, args } = java('kafka.tools.StorageTool', ['format', '--ignore-formatted', '-t', clusterId(), '-c', node.configFile], 'tools-log4j.properties', '256m');
  runOrFail(command, args, `kafka: formatting the KRaft storage of node ${node.id}`);
}

/**
 * How many brokers `node` knows of, once it answers metadata and names a controller: the port
 * opens before the node has joined the quorum, so only such an answer shows it serves.
 */
async function brokersSeenBy(node: KafkaNode): Promise<number> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({
    brokers: [`127.0.0.1:${node.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2_000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.controller === null ? 0 : cluster.brokers.length;
  } finally {
    await admin.disconnect();
  }
}

/** Which node count `up` runs: the one asked for, else the one running, else a single node. */
function nodeCountToStart(requested: number | undefined): number {
  const running = recordedNodeCount();
  const anyRunning = running !== undefined && kafkaNodes(running).some((node) => runningPid(node.pidFile) !== undefined);
  // After a reboot or a crash of every node, a recorded cluster comes back as that cluster.
  if (!anyRunning) return requested ?? running ?? 1;
  if (requested !== undefined && requested !== running) {
    throw new StackError(`kafka: a ${running}-node Kafka is running; run \`npm run stack:down\` before starting ${requested} node${requested === 1 ? '' : 's'}`);
  }
  return running;
}

/** Starts `node` unless it runs already; resolves with its pid when it was started now. */
async function startNode(node: KafkaNode, nodes: KafkaNode[], clusterId: () => string): Promise<number | undefined> {
  if (runningPid(node.pidFile) !== undefined) return undefined;
  const name = nodes.length === 1 ? 'kafka' : `kafka node ${node.id}`;
  await assertPortFree(node.port, name);
  await assertPortFree(node.controllerPort, `${name} (controller)`);
  await assertPortFree(node.saslSslPort, `${name} (SASL_SSL)`);
  mkdirSync(node.dataDir, { recursive: true });
  const quorum = nodes.map(({ id, controllerPort }) => ({ id, controllerPort }));
  // One certificate (for localhost and 127.0.0.1) serves every node.
  const saslSsl = { port: node.saslSslPort, keystore: ensureServerKeystore('kafka') };
  writeFileSync(node.configFile, kafkaServerProperties({ nodeId: node.id, port: node.port, controllerPort: node.controllerPort, logDir: join(node.dataDir, 'logs'), quorum, saslSsl }));
  formatStorageOnce(node, clusterId);
  // Three brokers share the machine with everything else; each gets less heap than a lone one.
  const { command, args } = java('kafka.Kafka', [node.configFile], 'log4j.properties', nodes.length === 1 ? '768m' : '512m');
  return spawnDetached({ command, args, logFile: node.logFile, pidFile: node.pidFile });
}

/** The bootstrap list of the SASL_SSL listeners of `nodes`. */
const saslSslBootstrap = (nodes: KafkaNode[]) => nodes.map((node) => `127.0.0.1:${node.saslSslPort}`).join(',');

/**
 * Gives the cluster the SCRAM user of its SASL_SSL listeners, through node 1's PLAINTEXT
 * listener; Kafka keeps it in the cluster's metadata, so this runs once per data folder (and
 * again when the credentials file was replaced), also for data made before the listener existed.
 */
function ensureScramUser(nodes: KafkaNode[]): void {
  const first = nodes[0]!;
  const marker = join(first.dataDir, 'scram-user.sha256');
  const credentials = ensureScramCredentials(saslSslBootstrap(nodes));
  const fingerprint = credentialsFingerprint(credentials);
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === fingerprint) return;
  for (const toolArgs of scramUserCommands(`127.0.0.1:${first.port}`, credentials)) {
    // A local password on loopback, so it may show in this short-lived process's arguments; not in a message, though.
    const { command, args } = java('kafka.admin.ConfigCommand', toolArgs, 'tools-log4j.properties', '256m');
    try {
      runOrFail(command, args, `kafka: creating the SCRAM user '${credentials.username}' of the SASL_SSL listener`);
    } catch (error) {
      throw error instanceof StackError ? new StackError(error.message.replaceAll(credentials.password, '(hidden)')) : error;
    }
  }
  writeFileSync(marker, `${fingerprint}\n`);
}

/** Where clients find the SASL_SSL listeners, their CA and their SCRAM user, for `up` and `status`. */
async function saslSslNotes(nodes: KafkaNode[]): Promise<string[]> {
  const first = nodes[0]!;
  if (!(await isPortOpen(first.saslSslPort))) {
    return [`SASL_SSL 127.0.0.1:${first.saslSslPort} is not listening: this broker was started before it existed; \`npm run stack:down\` and \`npm run stack:up\` add it`];
  }
  const credentials = readScramCredentials() === undefined ? 'not made yet' : SCRAM_CREDENTIALS_FILE;
  return [`SASL_SSL ${saslSslBootstrap(nodes)} (SCRAM-SHA-256/512); SCRAM user: ${credentials}`, `CA: ${CA_FILE}`];
}

/**
 * Kafka on loopback: one node by default, or a cluster of `nodeCount` KRaft nodes (`up
 * --brokers 3`), each a broker and one of the controller quorum, with its own ports and data.
 * `up` on a cluster with nodes down starts just those.
 */
export function createKafkaComponent(requestedNodeCount?: number): StackComponent {
  const first = kafkaNodes(1)[0]!;
  return {
    name: 'kafka',
    logFile: first.logFile,

    async install() {
      if (existsSync(INSTALLED_MARKER)) return;
      assertJavaTools('kafka');
      rmSync(KAFKA_LIBS, { recursive: true, force: true });
      runMaven(
        join(HERE, 'pom.xml'),
        ['dependency:copy-dependencies', `-DoutputDirectory=${KAFKA_LIBS}`],
        `kafka: resolving Apache Kafka ${KAFKA_VERSION} from Maven Central`,
      );
      if (!readdirSync(KAFKA_LIBS).some((jar) => jar.startsWith('kafka_2.13-'))) {
        throw new StackError(`kafka: Maven finished but ${KAFKA_LIBS} holds no kafka_2.13 jar`);
      }
      writeFileSync(INSTALLED_MARKER, new Date().toISOString());
    },

    async start() {
      const timeoutMs = readyTimeoutMs(READY_TIMEOUT_MS);
      const nodeCount = nodeCountToStart(requestedNodeCount);
      const nodes = kafkaNodes(nodeCount);
      assertJavaTools('kafka', ['java']);
      const clusterId = () => clusterIdFor(nodeCount);
      const started: Array<KafkaNode & { pid: number }> = [];
      for (const node of nodes) {
        const pid = await startNode(node, nodes, clusterId);
        if (pid !== undefined) started.push({ ...node, pid });
      }
      /** What a message calls a node: the single node is "the broker". */
      const named = (node: KafkaNode) => (nodeCount === 1 ? 'the broker' : `node ${node.id}`);
      recordNodeCount(nodeCount);
      const ready = await pollUntil(async () => {
        const exited = started.find((node) => runningPid(node.pidFile) === undefined);
        if (exited) throw new StackError(`kafka: ${named(exited)} (pid ${exited.pid}) exited during start-up`, exited.logFile);
        // A cluster is whole once every node serves and sees every other.
        for (const node of nodes) if ((await brokersSeenBy(node)) < nodeCount) return false;
        return true;
      }, timeoutMs);
      if (!ready) {
        // Left running, they would hold the ports and make the next start wait for them again.
        for (const node of started) await stopProcessGroup(node.pidFile);
        if (started.length === 0) {
          throw new StackError(`kafka: ${nodeCount === 1 ? 'a broker' : 'the nodes'} started earlier ${nodeCount === 1 ? 'is' : 'are'} running but never became ready; run \`npm run stack:down\` and start again`, first.logFile);
        }
        throw new StackError(`kafka: ${nodeCount === 1 ? 'the broker' : 'the cluster'} did not become ready within ${timeoutMs / 1000} s, so ${nodeCount === 1 ? 'it was' : 'the nodes started now were'} stopped`, started[0]!.logFile);
      }
      ensureScramUser(nodes);
    },

    async stop() {
      // Every node that may run, whatever was recorded: a half-written record must not leave one behind.
      await Promise.all(kafkaNodes(MOST_NODES).map((node) => stopProcessGroup(node.pidFile, 30_000)));
      forgetNodeCount();
    },

    async status(): Promise<ComponentStatus> {
      const nodeCount = recordedNodeCount() ?? 1;
      const nodes = kafkaNodes(nodeCount);
      const states = await Promise.all(
        nodes.map(async (node) => {
          const pid = runningPid(node.pidFile);
          const ready = pid !== undefined && (await brokersSeenBy(node).catch(() => 0)) > 0;
          return { node, pid, ready };
        }),
      );
      const pid = states[0]?.pid;
      const running = states.some((state) => state.pid !== undefined);
      const ready = states.every((state) => state.ready);
      const headline = `${kafkaBootstrap()} (KRaft, Kafka ${KAFKA_VERSION}${nodeCount > 1 ? `, ${nodeCount} nodes` : ''})`;
      const listenerNotes = ready ? await saslSslNotes(nodes) : [];
      if (nodeCount === 1) return { running, ready, pid, detail: headline, notes: listenerNotes };
      const notes = states.map(({ node, pid: nodePid, ready: nodeReady }) => `node ${node.id}  ${(nodeReady ? 'ready' : nodePid ? 'NOT READY' : 'stopped').padEnd(9)} 127.0.0.1:${node.port}${nodePid ? `  pid ${nodePid}` : `  log: ${node.logFile}`}`);
      const live = states.find((state) => state.ready)?.node;
      if (live) notes.push(...(await describePartitions(`127.0.0.1:${live.port}`).catch((error: unknown) => [`partitions: not available (${error instanceof Error ? error.message : String(error)})`])));
      return { running, ready, pid, detail: headline, notes: [...notes, ...listenerNotes] };
    },
  };
}
