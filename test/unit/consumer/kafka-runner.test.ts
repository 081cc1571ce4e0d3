import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Kafka } from 'kafkajs';
import { createKafkaRunner } from '../../../src/lib/consumer';
import { createLogger } from '../../../src/logger';
import { waitFor } from '../../helpers/wait-for';

/**
 * Stand-in for a kafkajs consumer, with only what the runner uses: it records what is done to it,
 * and its connect fails when told to (Kafka unreachable at that moment).
 */
class StandInConsumer extends EventEmitter {
  readonly events = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join', END_BATCH_PROCESS: 'consumer.end_batch_process' } as const;
  ran = false;
  disconnected = false;
  commits: unknown[] = [];
  commitFails = false;

  constructor(private readonly connectFails: boolean) {
    super();
  }

  async connect(): Promise<void> {
    if (this.connectFails) throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
  }

  async subscribe(): Promise<void> {}

  async run(): Promise<void> {
    this.ran = true;
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }

  async commitOffsets(offsets: unknown): Promise<void> {
    this.commits.push(offsets);
    if (this.commitFails) throw new Error('The coordinator is not aware of this member');
  }

  crash(): void {
    this.emit(this.events.CRASH, { payload: { error: new Error('a non-retriable failure'), groupId: 'g', restart: false } });
  }
}

/** A Kafka client whose consumers are stand-ins; the connects listed in `failing` (1-based) fail. */
function kafkaWithConsumers(failing: number[]) {
  const created: StandInConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new StandInConsumer(failing.includes(created.length + 1));
      created.push(consumer);
      return consumer;
    },
  };
  // The runner only asks the client for consumers.
  return { kafka: kafka as unknown as Kafka, created };
}

function runnerOn(kafka: Kafka) {
  return createKafkaRunner({
    kafka,
    topic: 't',
    groupId: 'g',
    logger: createLogger('silent'),
    partitionsConsumedConcurrently: 1,
    maxRecordsPerTransaction: 10,
    fetchMaxWaitMs: 20,
    restartAfterCrashMs: 10,
    process: async () => true,
    onCommitted: () => undefined,
    onGroupJoin: () => undefined,
  });
}

describe('Kafka runner: a fetch of only transaction markers', () => {
  const markersOnly = { payload: { topic: 't', partition: 2, batchSize: 0, lastOffset: '41' } };

  it('commits past them, since no batch of records will', async () => {
    const { kafka, created } = kafkaWithConsumers([]);
    const runner = runnerOn(kafka);
    await runner.start();
    created[0]?.emit(created[0].events.END_BATCH_PROCESS, markersOnly);
    expect(created[0]?.commits).to.deep.equal([[{ topic: 't', partition: 2, offset: '42' }]]);
    await runner.stop();
  });

  it('leaves a failed commit there to the next batch, without crashing or an unhandled rejection', async () => {
    const { kafka, created } = kafkaWithConsumers([]);
    const runner = runnerOn(kafka);
    await runner.start();
    const consumer = created[0]!;
    consumer.commitFails = true;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      consumer.emit(consumer.events.END_BATCH_PROCESS, markersOnly);
      await sleep(50);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(consumer.commits).to.have.length(1);
    expect(unhandled).to.deep.equal([]);
    expect(created, 'no restart').to.have.length(1);
    await runner.stop();
  });
});

describe('Kafka runner: a consumer kafkajs gave up on', () => {
  it('is replaced by a fresh one, and a replacement that cannot connect is tried again until one runs', async () => {
    const { kafka, created } = kafkaWithConsumers([2, 3]);
    const runner = runnerOn(kafka);
    await runner.start();
    created[0]?.crash();
    await waitFor(() => created[3]?.ran, { what: 'a fourth consumer to run', timeoutMs: 5_000, intervalMs: 10 });
    expect(created.map((consumer) => consumer.ran)).to.deep.equal([true, false, false, true]);
    expect(created.slice(0, 3).every((consumer) => consumer.disconnected), 'the crashed and the failed ones are disconnected').to.equal(true);
    await runner.stop();
  });

  it('is not replaced once the runner stops', async () => {
    const { kafka, created } = kafkaWithConsumers([2]);
    const runner = runnerOn(kafka);
    await runner.start();
    created[0]?.crash();
    await runner.stop();
    await sleep(100);
    expect(created).to.have.length(1);
  });

  it('is left to kafkajs when kafkajs restarts it itself', async () => {
    const { kafka, created } = kafkaWithConsumers([]);
    const runner = runnerOn(kafka);
    await runner.start();
    created[0]?.emit(created[0].events.CRASH, { payload: { error: new Error('retriable'), groupId: 'g', restart: true } });
    await sleep(100);
    expect(created).to.have.length(1);
    await runner.stop();
  });
});
