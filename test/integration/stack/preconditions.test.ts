import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { spawnDetached } from '../../../scripts/stack/process';
import { waitFor } from '../../helpers/wait-for';
import { closeServer, isGone, occupyPort, pidOfExitedProcess, processesMentioning, TestStack, type CliResult, type StackPorts } from './stack-harness';

/** What a refusal must look like: exit 1, quickly, a message on stderr, and nothing started. */
function expectRefusal(stack: TestStack, result: CliResult, message: RegExp | string): void {
  expect(result.timedOut, `the run hung:\n${result.output}`).to.equal(false);
  expect(result.code, result.output).to.equal(1);
  if (typeof message === 'string') expect(result.stderr).to.include(message);
  else expect(result.stderr).to.match(message);
  expect(result.seconds, 'a refusal comes at once').to.be.below(20);
  expect(stack.pidFiles(), 'no pid file written').to.deep.equal([]);
  expect(processesMentioning(stack.home), 'no process started').to.deep.equal([]);
}

describe('the stack scripts refuse to start, with a clear message', function () {
  this.timeout(60_000);

  let stack: TestStack;
  beforeEach(async () => {
    stack = await TestStack.create();
  });
  afterEach(async () => stack.destroy());

  describe('on a wrong command line', () => {
    it('an unknown component: exit 1, naming it, with the usage', async () => {
      const result = await stack.run(['up', 'kafka', 'zookeeper']);
      expectRefusal(stack, result, "unknown component 'zookeeper'");
      expect(result.stderr).to.include('choose from postgres, kafka, registry, prometheus');
      expect(result.stderr).to.include('usage: stack <up|down|status>');
    });

    it('an unknown command, or none: exit 1 with the usage', async () => {
      for (const args of [['start', 'kafka'], []]) {
        const result = await stack.run(args);
        expectRefusal(stack, result, 'usage: stack <up|down|status> [postgres|kafka|registry|prometheus ...]');
      }
    });
  });

  describe('when a port of the stack is taken by another process', () => {
    const cases: Array<{ part: string; port: keyof StackPorts; says: string }> = [
      { part: 'kafka', port: 'kafka', says: 'kafka' },
      { part: 'kafka', port: 'kafkaController', says: 'kafka (controller)' },
      { part: 'kafka', port: 'kafkaSaslSsl', says: 'kafka (SASL_SSL)' },
      { part: 'postgres', port: 'postgres', says: 'postgres' },
      { part: 'registry', port: 'registry', says: 'registry' },
      { part: 'prometheus', port: 'prometheus', says: 'prometheus' },
    ];
    let taken: Server | undefined;
    afterEach(async () => closeServer(taken));

    for (const { part, port, says } of cases) {
      it(`up ${part} with the ${port} port in use: exit 1 naming ${says} and the port, nothing started`, async () => {
        taken = await occupyPort(stack.ports[port]);
        const result = await stack.run(['up', part]);
        expectRefusal(stack, result, `${says}: port ${stack.ports[port]} is already in use by another process`);
      });
    }
  });

  it('up kafka without `java` on PATH: exit 1 saying java is missing and what to install', async () => {
    const result = await stack.run(['up', 'kafka'], { env: { PATH: stack.pathWithout('java'), JAVA_HOME: undefined } });
    expectRefusal(stack, result, "kafka: 'java' was not found on PATH");
    expect(result.stderr).to.match(/needs Java 17\+/);
  });

  if (userInfo().uid === 0) {
    it('as root, up postgres in a home the postgres user cannot enter: exit 1 naming the folder to open', async () => {
      chmodSync(stack.home, 0o700);
      const result = await stack.run(['up', 'postgres']);
      expectRefusal(stack, result, `postgres: the server runs as the 'postgres' user, which cannot enter ${stack.home}`);
      expect(result.stderr).to.include(`chmod o+x ${stack.home}`);
    });
  }

  describe('a pid file left by an earlier stack', () => {
    let unrelated: ChildProcess | undefined;
    afterEach(() => {
      if (unrelated?.pid !== undefined && !isGone(unrelated.pid)) process.kill(unrelated.pid, 'SIGKILL');
    });

    it('naming a process that has exited: status reports the part stopped and drops the file', async () => {
      mkdirSync(stack.runDir, { recursive: true });
      writeFileSync(stack.pidFile('kafka'), `${pidOfExitedProcess()}\n`);
      const result = await stack.run(['status', 'kafka']);
      expect(result.code, result.output).to.equal(1);
      expect(result.stdout).to.match(/kafka\s+stopped/);
      expect(result.stdout).to.include(`log: ${stack.logFile('kafka')}`);
      expect(existsSync(stack.pidFile('kafka'))).to.equal(false);
    });

    it('whose pid now belongs to another process (a reboot, pid reuse): status says stopped, down leaves that process alone', async () => {
      // The file as the stack writes it, for a process that has since ended...
      const pidFile = stack.pidFile('registry');
      const ended = spawnDetached({ command: 'true', args: [], logFile: join(stack.home, 'logs', 'true.log'), pidFile });
      await waitFor(() => isGone(ended), { what: 'the recorded process to end' });
      // ...whose pid has gone to some unrelated process, started later: start times count in
      // clock ticks (1/100 s), and a pid is never reused within one.
      await new Promise((resolveLater) => setTimeout(resolveLater, 50));
      unrelated = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
      const unrelatedPid = unrelated.pid ?? 0;
      const [, ...rest] = readFileSync(pidFile, 'utf8').split('\n');
      writeFileSync(pidFile, [String(unrelatedPid), ...rest].join('\n'));

      const status = await stack.run(['status', 'registry']);
      expect(status.code, status.output).to.equal(1);
      expect(status.stdout).to.match(/registry\s+stopped/);

      writeFileSync(pidFile, [String(unrelatedPid), ...rest].join('\n'));
      const down = await stack.run(['down', 'registry']);
      expect(down.code, down.output).to.equal(0);
      expect(isGone(unrelatedPid), 'the unrelated process still runs').to.equal(false);
      expect(existsSync(pidFile)).to.equal(false);
    });

    it('naming a crashed process nobody has reaped yet (a zombie): status reports it stopped', async () => {
      // `sleep 0` ends at once; its parent, having become `sleep 300`, never collects it.
      unrelated = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 300'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
      const zombie = await new Promise<number>((resolvePid) => unrelated?.stdout?.once('data', (chunk: Buffer) => resolvePid(Number(String(chunk).trim()))));
      await waitFor(() => readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z '), { what: 'a zombie' });
      mkdirSync(stack.runDir, { recursive: true });
      writeFileSync(stack.pidFile('kafka'), `${zombie}\n`);

      const result = await stack.run(['status', 'kafka']);
      expect(result.code, result.output).to.equal(1);
      expect(result.stdout).to.match(/kafka\s+stopped/);
    });
  });
});
