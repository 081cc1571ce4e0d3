import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KAFKA_LIBS } from '../../scripts/stack/kafka';
import { createKafkaClient } from '../../src/lib/kafka';
import { waitFor } from './wait-for';
import { freeLoopbackPort } from './ports';
import { kafkaServerProperties, newClusterId } from '../../scripts/stack/kafka';

const LOG4J = join(__dirname, '..', '..', 'scripts', 'stack', 'kafka', 'tools-log4j.properties');

/**
 * A KRaft broker of this test's own, from the local stack's Kafka jars, in a temporary folder.
 * Killing and restarting it tests a real broker outage without disturbing the shared broker
 * that other suites use at the same time.
 */
export interface PrivateKafkaBroker {
  brokers: string;
  /** Starts the broker (again, on the same ports and data) and resolves once it answers metadata. */
  start(): Promise<void>;
  /** Kills the broker as a crash would (SIGKILL) and resolves once it has exited. */
  kill(): Promise<void>;
  /** Kills it and deletes its data. */
  destroy(): Promise<void>;
}

export async function createPrivateKafkaBroker(): Promise<PrivateKafkaBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-private-kafka-'));
  const [port, controllerPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const config = join(dir, 'server.properties');
  writeFileSync(config, kafkaServerProperties({ port, controllerPort, logDir: join(dir, 'logs') }));
  const java = (mainClass: string, args: string[]) => [
    '-Xms128m',
    '-Xmx384m',
    '-XX:+UseSerialGC',
    `-Dlog4j.configuration=file:${LOG4J}`,
    '-cp',
    `${KAFKA_LIBS}/*`,
    mainClass,
    ...args,
  ];
  const format = spawnSync('java', java('kafka.tools.StorageTool', ['format', '-t', newClusterId(), '-c', config]), {
    encoding: 'utf8',
  });
  if (format.status !== 0) throw new Error(`formatting the private broker's storage failed: ${format.stderr}`);

  const brokers = `127.0.0.1:${port}`;
  let broker: ChildProcess | undefined;

  const answersMetadata = async () => {
    const admin = createKafkaClient({ brokers, clientId: 'private-broker-probe', overrides: { connectionTimeout: 1_000, retry: { retries: 0 } } }).admin();
    try {
      await admin.connect();
      return (await admin.describeCluster()).brokers.length > 0;
    } finally {
      await admin.disconnect();
    }
  };

  const kill = async () => {
    const running = broker;
    broker = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  return {
    brokers,
    async start() {
      const log = createWriteStream(join(dir, 'broker.log'), { flags: 'a' });
      broker = spawn('java', java('kafka.Kafka', [config]), { stdio: ['ignore', 'pipe', 'pipe'] });
      broker.stdout?.pipe(log);
      broker.stderr?.pipe(log);
      await waitFor(answersMetadata, { timeoutMs: 60_000, intervalMs: 250, what: `the private Kafka broker on ${brokers}` });
    },
    kill,
    async destroy() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
