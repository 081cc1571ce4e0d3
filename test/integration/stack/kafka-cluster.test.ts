import { expect } from 'chai';
import { ConfigResourceTypes } from 'kafkajs';
import { createKafkaClient, ensureTopics } from '../../../src/lib/kafka';
import { uniqueSuffix } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { isGone, processFamily, TestStack } from './stack-harness';

const NODES = [1, 2, 3] as const;

/**
 * `stack:up --brokers 3`: three KRaft nodes, each a broker and a voter of the controller
 * quorum, on ports and data of their own; what they create is replicated three times with two
 * in sync required. The steps build on each other and run in order.
 */
describe('the stack scripts running a three-node Kafka cluster', function () {
  this.timeout(150_000);

  let stack: TestStack;
  const topic = `cluster-orders-${uniqueSuffix()}`;
  /** status lists the partitions of the configured order topic: this test's. */
  const statusEnv = { ORDER_EVENTS_TOPIC: topic };

  before(async () => {
    stack = await TestStack.create();
  });
  after(async () => stack.destroy());

  const nodePids = () => NODES.map((id) => stack.kafkaNodePid(id));

  async function withAdmin<T>(use: (admin: ReturnType<ReturnType<typeof createKafkaClient>['admin']>) => Promise<T>): Promise<T> {
    const admin = createKafkaClient({ brokers: stack.kafkaBootstrap(3), clientId: 'cluster-test', overrides: { retry: { retries: 3 } } }).admin();
    await admin.connect();
    try {
      return await use(admin);
    } finally {
      await admin.disconnect();
    }
  }

  it('up kafka --brokers 3 starts three nodes that form one cluster', async () => {
    const result = await stack.run(['up', 'kafka', '--brokers', '3']);
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.include(stack.kafkaBootstrap(3));
    expect(result.stdout).to.include('3 nodes');
    const pids = nodePids();
    expect(new Set(pids).size, 'three processes').to.equal(3);
    const cluster = await withAdmin((admin) => admin.describeCluster());
    expect(cluster.brokers.map((broker) => broker.nodeId).sort()).to.deep.equal([...NODES]);
  });

  it('a topic the services create is replicated on all three nodes, with min.insync.replicas 2', async () => {
    await withAdmin(async (admin) => {
      expect(await ensureTopics(admin, [topic])).to.deep.equal([topic]);
      // Every node learns of the new topic a moment after its leaders are elected; ask until the one asked knows it.
      const { topics } = await waitFor(() => admin.fetchTopicMetadata({ topics: [topic] }), { what: `the metadata of ${topic}` });
      for (const partition of topics[0]!.partitions) {
        expect(partition.replicas, `partition ${partition.partitionId} replicas`).to.have.length(3);
        expect(partition.isr, `partition ${partition.partitionId} in sync`).to.have.length(3);
      }
      const { resources } = await waitFor(() => admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }], includeSynonyms: false }), {
        what: `the configuration of ${topic}`,
      });
      expect(resources[0]?.configEntries.find((entry) => entry.configName === 'min.insync.replicas')?.configValue).to.equal('2');
    });
  });

  it('status shows every node and each partition of the order topic with its leader and in-sync replicas', async () => {
    const result = await stack.run(['status', 'kafka'], { env: statusEnv });
    expect(result.code, result.output).to.equal(0);
    for (const id of NODES) expect(result.stdout).to.match(new RegExp(`node ${id}\\s+ready\\s+127\\.0\\.0\\.1:\\d+\\s+pid ${stack.kafkaNodePid(id)}`));
    for (const partition of [0, 1, 2]) expect(result.stdout).to.match(new RegExp(`${topic}\\[${partition}\\]\\s+leader [123]\\s+replicas [123],[123],[123]\\s+isr [123],[123],[123]`));
    expect(result.stdout).to.match(/\d+ topics, \d+ partitions: 0 under-replicated, 0 without a leader/);
  });

  it('after a node is killed (-9) status names it stopped with its partitions under-replicated, and up starts just that node', async () => {
    const [first, second, third] = nodePids();
    const victim = processFamily(second!);
    process.kill(second!, 'SIGKILL');
    await waitFor(() => victim.every(isGone), { what: 'node 2 to end', timeoutMs: 30_000 });

    // The survivors drop node 2 from the in-sync replicas once its session times out.
    await waitFor(
      async () => {
        const status = await stack.run(['status', 'kafka'], { env: statusEnv });
        return status.code === 1 && /node 2\s+stopped/.test(status.stdout) && /partitions: [1-9]\d* under-replicated, 0 without a leader/.test(status.stdout);
      },
      { what: 'status to show node 2 stopped and partitions under-replicated, every one still led', timeoutMs: 60_000, intervalMs: 1_000 },
    );

    const up = await stack.run(['up', 'kafka']);
    expect(up.code, up.output).to.equal(0);
    const [firstAfter, secondAfter, thirdAfter] = nodePids();
    expect([firstAfter, thirdAfter], 'the running nodes are left alone').to.deep.equal([first, third]);
    expect(secondAfter).to.be.a('number').and.not.equal(second);
    await waitFor(
      async () => /partitions: 0 under-replicated, 0 without a leader/.test((await stack.run(['status', 'kafka'], { env: statusEnv })).stdout),
      { what: 'node 2 back in sync', timeoutMs: 60_000, intervalMs: 1_000 },
    );
  });

  it('up refuses another node count while the cluster runs, and down stops all three', async () => {
    const single = await stack.run(['up', 'kafka', '--brokers', '1']);
    expect(single.code).to.equal(1);
    expect(single.stderr).to.include('a 3-node Kafka is running; run `npm run stack:down`');
    const two = await stack.run(['up', 'kafka', '--brokers', '2']);
    expect(two.code).to.equal(1);
    expect(two.stderr).to.include('--brokers must be one of 1, 3, 4, 5');

    const families = nodePids().flatMap((pid) => processFamily(pid!));
    const down = await stack.run(['down', 'kafka']);
    expect(down.code, down.output).to.equal(0);
    await waitFor(() => families.every(isGone), { what: 'every node to end', timeoutMs: 30_000 });
    const status = await stack.run(['status', 'kafka']);
    expect(status.code).to.equal(1);
    expect(status.stdout).to.match(/kafka\s+stopped/);
  });
});
