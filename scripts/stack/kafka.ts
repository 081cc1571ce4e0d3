import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentStatus, StackComponent } from './component';
import { credentialsFingerprint, ensureScramCredentials, readScramCredentials, SCRAM_CREDENTIALS_FILE, scramUserCommands, withSaslSslListener, type SaslSslListener } from './kafka-sasl-ssl';
import { assertJavaTools, runMaven } from './maven';
import { CACHE_DIR, DATA_DIR, LOG_DIR, REPO_ROOT, RUN_DIR } from './paths';
import { STACK_PORTS } from './ports';
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
const DATA = join(DATA_DIR, 'kafka');
const CONFIG_FILE = join(DATA, 'server.properties');
const PID_FILE = join(RUN_DIR, 'kafka.pid');
const LOG_FILE = join(LOG_DIR, 'kafka.log');
const READY_TIMEOUT_MS = 90_000;
/** Which SCRAM credentials the broker's metadata holds already (a fingerprint), so a start only adds them when they changed. */
const SCRAM_USER_MARKER = join(DATA, 'scram-user.sha256');

const { kafka: port, kafkaController: controllerPort, kafkaSaslSsl: saslSslPort } = STACK_PORTS;

/**
 * The server.properties of one combined broker + controller in KRaft mode (no ZooKeeper) on
 * loopback; tests that need a broker of their own to crash use it too.
 */
export function kafkaServerProperties({ port, controllerPort, logDir, saslSsl }: { port: number; controllerPort: number; logDir: string; saslSsl?: SaslSslListener }): string {
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,
    'num.partitions': 3,
    // A single broker can only ever hold one replica of the internal topics.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
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

function java(mainClass: string, args: string[], log4jConfig: string): { command: string; args: string[] } {
  return {
    command: 'java',
    args: [
      '-Xms256m',
      '-Xmx768m',
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

function formatStorageOnce(): void {
  if (existsSync(join(DATA, 'logs', 'meta.properties'))) return;
  const { command, args } = java(
    'kafka.tools.StorageTool',
    ['format', '--ignore-formatted', '-t', newClusterId(), '-c', CONFIG_FILE],
    'tools-log4j.properties',
  );
  runOrFail(command, args, 'kafka: formatting the KRaft storage');
}

/**
 * Gives the broker the SCRAM user of its SASL_SSL listener, through the PLAINTEXT listener; the
 * broker keeps it in its metadata log, so this runs once per data folder (and again when the
 * credentials file was replaced), also for a data folder made before the listener existed.
 */
function ensureScramUser(): void {
  const credentials = ensureScramCredentials(saslSslPort);
  const fingerprint = credentialsFingerprint(credentials);
  if (existsSync(SCRAM_USER_MARKER) && readFileSync(SCRAM_USER_MARKER, 'utf8').trim() === fingerprint) return;
  for (const toolArgs of scramUserCommands(`127.0.0.1:${port}`, credentials)) {
    // A local password on loopback, so it may show in this short-lived process's arguments; not in a message, though.
    const { command, args } = java('kafka.admin.ConfigCommand', toolArgs, 'tools-log4j.properties');
    try {
      runOrFail(command, args, `kafka: creating the SCRAM user '${credentials.username}' of the SASL_SSL listener`);
    } catch (error) {
      throw error instanceof StackError ? new StackError(error.message.replaceAll(credentials.password, '(hidden)')) : error;
    }
  }
  writeFileSync(SCRAM_USER_MARKER, `${fingerprint}\n`);
}

/** Where clients find the SASL_SSL listener, its CA and its SCRAM user, for `up` and `status`. */
async function saslSslNotes(): Promise<string[]> {
  if (!(await isPortOpen(saslSslPort))) {
    return [`SASL_SSL 127.0.0.1:${saslSslPort} is not listening: this broker was started before it existed; \`npm run stack:down\` and \`npm run stack:up\` add it`];
  }
  const credentials = readScramCredentials() === undefined ? 'not made yet' : SCRAM_CREDENTIALS_FILE;
  return [`SASL_SSL 127.0.0.1:${saslSslPort} (SCRAM-SHA-256/512); SCRAM user: ${credentials}`, `CA: ${CA_FILE}`];
}

async function isReady(): Promise<boolean> {
  if (!(await isPortOpen(port))) return false;
  // The port opens before the broker has joined the quorum; a metadata answer is the proof.
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2_000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect();
  }
}

export const kafka: StackComponent = {
  name: 'kafka',
  logFile: LOG_FILE,

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
    if (runningPid(PID_FILE) !== undefined) {
      if (await pollUntil(isReady, timeoutMs)) return ensureScramUser();
      throw new StackError('kafka: a broker started earlier is running but never became ready; run `npm run stack:down` and start again', LOG_FILE);
    }
    await assertPortFree(port, 'kafka');
    await assertPortFree(controllerPort, 'kafka (controller)');
    await assertPortFree(saslSslPort, 'kafka (SASL_SSL)');
    assertJavaTools('kafka', ['java']);
    mkdirSync(DATA, { recursive: true });
    const saslSsl = { port: saslSslPort, keystore: ensureServerKeystore('kafka') };
    writeFileSync(CONFIG_FILE, kafkaServerProperties({ port, controllerPort, logDir: join(DATA, 'logs'), saslSsl }));
    formatStorageOnce();
    const { command, args } = java('kafka.Kafka', [CONFIG_FILE], 'log4j.properties');
    const pid = spawnDetached({ command, args, logFile: LOG_FILE, pidFile: PID_FILE });
    const ready = await pollUntil(async () => {
      if (runningPid(PID_FILE) === undefined) {
        throw new StackError(`kafka: the broker (pid ${pid}) exited during start-up`, LOG_FILE);
      }
      return isReady();
    }, timeoutMs);
    if (!ready) {
      // Left running, it would hold the ports and make the next start wait for it again.
      await stopProcessGroup(PID_FILE);
      throw new StackError(`kafka: the broker did not become ready within ${timeoutMs / 1000} s, so it was stopped`, LOG_FILE);
    }
    ensureScramUser();
  },

  async stop() {
    await stopProcessGroup(PID_FILE, 30_000);
  },

  async status(): Promise<ComponentStatus> {
    const pid = runningPid(PID_FILE);
    const ready = pid !== undefined && (await isReady().catch(() => false));
    return { running: pid !== undefined, ready, pid, detail: `127.0.0.1:${port} (KRaft, Kafka ${KAFKA_VERSION})`, notes: ready ? await saslSslNotes() : [] };
  },
};
