import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { closeServer, isGone, occupyPort, processesMentioning, TestStack, type CliResult, type Part } from './stack-harness';

/** The readiness time-out the stand-ins that never get ready run into, in seconds. */
const READY_TIMEOUT_S = 2;

/**
 * A part that fails while starting: `up` ends non-zero, in bounded time, naming the part and
 * the log to read; the log holds the part's own output; nothing of it keeps running.
 */
function expectStartFailure(stack: TestStack, part: Part, result: CliResult, message: RegExp): void {
  expect(result.timedOut, `up hung:\n${result.output}`).to.equal(false);
  expect(result.code, result.output).to.equal(1);
  expect(result.stderr).to.match(message);
  expect(result.stderr).to.include(`see the log: ${stack.logFile(part)}`);
  expect(existsSync(stack.logFile(part)), 'the log it names exists').to.equal(true);
  expect(stack.pidFiles(), 'no pid file left').to.deep.equal([]);
  expect(processesMentioning(stack.home), 'no process left').to.deep.equal([]);
}

describe('the stack scripts when a part fails during start-up', function () {
  this.timeout(90_000);

  let stack: TestStack;
  beforeEach(async () => {
    stack = await TestStack.create();
  });
  afterEach(async () => stack.destroy());

  it('Kafka that exits (its data belongs to another broker): up exits 1 at once, naming kafka and kafka.log', async () => {
    // Storage formatted for node 2 of some other cluster; this stack's broker is node 1.
    const logs = join(stack.home, 'data', 'kafka', 'logs');
    mkdirSync(logs, { recursive: true });
    writeFileSync(
      join(logs, 'meta.properties'),
      `version=1\nnode.id=2\ncluster.id=${randomBytes(16).toString('base64url')}\ndirectory.id=${randomBytes(16).toString('base64url')}\n`,
    );
    const result = await stack.run(['up', 'kafka'], { timeoutMs: 60_000 });
    expectStartFailure(stack, 'kafka', result, /kafka: the broker \(pid \d+\) exited during start-up/);
    expect(readFileSync(stack.logFile('kafka'), 'utf8'), 'the log says why').to.match(/node id/i);
  });

  it('PostgreSQL that exits (a broken postgresql.conf): up exits 1 at once, naming postgres and postgres.log', async () => {
    const data = join(stack.home, 'data', 'postgres');
    mkdirSync(join(stack.home, 'data'));
    mkdirSync(data, { mode: 0o700 });
    writeFileSync(join(data, 'PG_VERSION'), `${pgMajorVersion()}\n`);
    writeFileSync(join(data, 'postgresql.conf'), 'this line = = is not a setting\n');
    if (userInfo().uid === 0) {
      // As root the server runs as `postgres` (see scripts/stack/postgres.ts), which must own its data.
      for (const file of [data, join(data, 'PG_VERSION'), join(data, 'postgresql.conf')]) chownSync(file, idOf('postgres', '-u'), idOf('postgres', '-g'));
    }
    const result = await stack.run(['up', 'postgres'], { timeoutMs: 60_000 });
    expectStartFailure(stack, 'postgres', result, /postgres: pg_ctl start failed/);
    expect(readFileSync(stack.logFile('postgres'), 'utf8'), 'the log says why').to.include('postgresql.conf');
  });

  describe('a part that exits at once, or never gets ready (stand-ins for java and prometheus)', () => {
    let kafkaListener: Server | undefined;
    afterEach(async () => closeServer(kafkaListener));

    const parts: Array<{ part: Exclude<Part, 'postgres'>; binary: 'java' | 'prometheus'; exited: RegExp; neverReady: RegExp }> = [
      {
        part: 'kafka',
        binary: 'java',
        exited: /kafka: the broker \(pid \d+\) exited during start-up/,
        neverReady: new RegExp(`kafka: the broker did not become ready within ${READY_TIMEOUT_S} s, so it was stopped`),
      },
      {
        part: 'registry',
        binary: 'java',
        exited: /registry: Apicurio Registry \(pid \d+\) exited during start-up/,
        neverReady: new RegExp(`registry: Apicurio Registry did not answer .* within ${READY_TIMEOUT_S} s, so it was stopped`),
      },
      {
        part: 'prometheus',
        binary: 'prometheus',
        exited: /prometheus: exited during start-up/,
        neverReady: new RegExp(`prometheus: not ready within ${READY_TIMEOUT_S} s, so it was stopped`),
      },
    ];

    for (const { part, binary, exited, neverReady } of parts) {
      for (const mode of ['exit', 'hang'] as const) {
        const what = mode === 'exit' ? 'exits at once' : `is not ready within ORDERFLOW_STACK_READY_TIMEOUT=${READY_TIMEOUT_S}`;
        it(`${part} that ${what}: up exits 1 naming ${part} and ${part}.log, and leaves nothing running`, async () => {
          // The registry keeps its schemas in Kafka and will not start without something on Kafka's port.
          if (part === 'registry') kafkaListener = await occupyPort(stack.ports.kafka);
          const result = await stack.run(['up', part], {
            env: {
              PATH: `${stack.fakeBin(binary, mode)}${delimiter}${process.env.PATH ?? ''}`,
              // The registry would try JAVA_HOME's java before the one on PATH.
              JAVA_HOME: undefined,
              ORDERFLOW_STACK_READY_TIMEOUT: String(READY_TIMEOUT_S),
            },
            timeoutMs: 60_000,
          });
          expectStartFailure(stack, part, result, mode === 'exit' ? exited : neverReady);
          expect(result.seconds, 'bounded by the time-out').to.be.below(READY_TIMEOUT_S + 20);
          const started = stack.fakePids();
          expect(started, `the stand-in ${binary} ran`).to.have.length(1);
          expect(started.filter((pid) => !isGone(pid)), 'the stand-in was stopped').to.deep.equal([]);
          expect(readFileSync(stack.logFile(part), 'utf8'), 'its output went to the log').to.include(`fake ${binary}`);
        });
      }
    }
  });
});

/** The major version of the newest installed PostgreSQL server, as postgres.ts picks it. */
function pgMajorVersion(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions[0] ?? '15';
}

function idOf(user: string, flag: '-u' | '-g'): number {
  return Number(String(spawnSync('id', [flag, user]).stdout).trim());
}
