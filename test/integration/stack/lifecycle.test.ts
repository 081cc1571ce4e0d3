import { expect } from 'chai';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import { createKafkaClient, kafkaConnection } from '../../../src/lib/kafka';
import { waitFor } from '../../helpers/wait-for';
import { isGone, pidOfExitedProcess, processesMentioning, processFamily, TestStack } from './stack-harness';

/**
 * PostgreSQL and Kafka (the registry is left out: Apicurio is heavy) through a whole life:
 * over the remains of an earlier stack, started twice, crashed, started again, stopped.
 * The steps build on each other and run in order.
 */
describe('the stack scripts through a lifecycle (PostgreSQL and Kafka)', function () {
  this.timeout(150_000);

  let stack: TestStack;
  before(async () => {
    stack = await TestStack.create();
  });
  after(async () => stack.destroy());

  /** The stack's processes now: Kafka's process group and PostgreSQL's server with its children. */
  function stackProcesses(): number[] {
    const kafka = stack.recordedPid('kafka');
    const postmaster = stack.postmasterPid();
    return [...(kafka ? processFamily(kafka) : []), ...(postmaster ? processFamily(postmaster) : []), ...processesMentioning(stack.home)];
  }

  it('status reports a half-started earlier stack (a pid file naming an exited process) as stopped', async () => {
    mkdirSync(stack.runDir, { recursive: true });
    writeFileSync(stack.pidFile('kafka'), `${pidOfExitedProcess()}\n`);
    const result = await stack.run(['status', 'postgres', 'kafka']);
    expect(result.code, result.output).to.equal(1);
    expect(result.stdout).to.match(/postgres\s+stopped/);
    expect(result.stdout).to.match(/kafka\s+stopped/);
  });

  it('up postgres kafka then starts both over it', async () => {
    const result = await stack.run(['up', 'postgres', 'kafka']);
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.match(/postgres\s+ready\s+postgres:\/\/orderflow@127\.0\.0\.1:(\d+)\/orderflow/);
    expect(result.stdout).to.include(`127.0.0.1:${stack.ports.kafka}`);
    expect(result.stdout).to.match(/kafka\s+ready/);
  });

  it('a second up is a quick no-op that keeps the same processes', async () => {
    const before = { kafka: stack.recordedPid('kafka'), postgres: stack.postmasterPid() };
    const result = await stack.run(['up', 'postgres', 'kafka']);
    expect(result.code, result.output).to.equal(0);
    expect(result.seconds, 'nothing to start').to.be.below(15);
    expect({ kafka: stack.recordedPid('kafka'), postgres: stack.postmasterPid() }).to.deep.equal(before);
  });

  it('status postgres kafka exits 0 showing both ready, with their pids', async () => {
    const result = await stack.run(['status', 'postgres', 'kafka']);
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.match(new RegExp(`postgres\\s+ready .*:${stack.ports.postgres}/orderflow\\s+pid ${stack.postmasterPid()}`));
    expect(result.stdout).to.match(new RegExp(`kafka\\s+ready .*:${stack.ports.kafka} .*pid ${stack.recordedPid('kafka')}`));
  });

  /** The settings of the stack's credentials file (KAFKA_BROKERS, KAFKA_SASL_PASSWORD, ...), as the services would read them. */
  function credentialsFile(): Record<string, string> {
    const lines = readFileSync(join(stack.home, 'data', 'tls', 'kafka-scram.env'), 'utf8').split('\n');
    return Object.fromEntries(lines.filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  /** Signs in to the SASL_SSL listener with the credentials file's settings and `mechanism`; resolves to the brokers it reports. */
  async function signIn(mechanism: 'scram-sha-256' | 'scram-sha-512'): Promise<Array<{ host: string; port: number }>> {
    const config = loadConfig({}, { ...credentialsFile(), KAFKA_SASL_MECHANISM: mechanism });
    const admin = createKafkaClient({ ...kafkaConnection(config), clientId: 'stack-lifecycle-test', overrides: { retry: { retries: 1 } } }).admin();
    await admin.connect();
    try {
      return (await admin.describeCluster()).brokers.map(({ host, port }) => ({ host, port }));
    } finally {
      await admin.disconnect();
    }
  }

  it('status says where the SASL_SSL listener, the SCRAM credentials and the CA are; the listener signs the user in over TLS with either mechanism', async () => {
    const result = await stack.run(['status', 'postgres', 'kafka']);
    const tls = join(stack.home, 'data', 'tls');
    expect(result.stdout).to.include(`SASL_SSL 127.0.0.1:${stack.ports.kafkaSaslSsl} (SCRAM-SHA-256/512); SCRAM user: ${join(tls, 'kafka-scram.env')}`);
    expect(result.stdout).to.include(`CA: ${join(tls, 'ca.pem')}`);
    expect(result.stdout).to.include(`TLS on (plain too): DATABASE_SSL=verify-full with DATABASE_SSL_CA_FILE=${join(tls, 'ca.pem')}`);
    expect(credentialsFile()).to.include({ KAFKA_BROKERS: `127.0.0.1:${stack.ports.kafkaSaslSsl}`, KAFKA_SASL_USERNAME: 'orderflow', KAFKA_SSL_CA_FILE: join(tls, 'ca.pem') });
    for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as const) {
      expect(await signIn(mechanism), mechanism).to.deep.equal([{ host: '127.0.0.1', port: stack.ports.kafkaSaslSsl }]);
    }
    const wrong = loadConfig({}, { ...credentialsFile(), KAFKA_SASL_PASSWORD: 'not-the-password' });
    const refused = createKafkaClient({ ...kafkaConnection(wrong), clientId: 'stack-lifecycle-test', overrides: { retry: { retries: 0 } } }).admin();
    const failure = await refused.connect().then(() => undefined, (error: unknown) => error as Error);
    await refused.disconnect();
    expect(failure?.message).to.match(/authentication failed/i);
  });

  it('a data folder from before the SASL_SSL listener (no credentials made) gets its SCRAM user at the next start', async () => {
    const down = await stack.run(['down', 'kafka']);
    expect(down.code, down.output).to.equal(0);
    const before = credentialsFile().KAFKA_SASL_PASSWORD;
    rmSync(join(stack.home, 'data', 'tls', 'kafka-scram.env'));
    rmSync(join(stack.home, 'data', 'kafka', 'scram-user.sha256'));

    const up = await stack.run(['up', 'kafka']);
    expect(up.code, up.output).to.equal(0);
    expect(credentialsFile().KAFKA_SASL_PASSWORD, 'a new password').not.to.equal(before);
    expect(await signIn('scram-sha-512')).to.have.length(1);
  });

  it('after a crash (kill -9 of Kafka and of the PostgreSQL server) status says stopped and up starts both again', async () => {
    const crashed = stackProcesses();
    const kafka = stack.recordedPid('kafka');
    const postmaster = stack.postmasterPid();
    // Checked first: process.kill(0) or kill(-0) would hit this test's own process group.
    expect(kafka, "Kafka's pid").to.be.a('number').and.above(1);
    expect(postmaster, "PostgreSQL's pid").to.be.a('number').and.above(1);
    process.kill(-(kafka ?? 0), 'SIGKILL');
    process.kill(postmaster ?? 0, 'SIGKILL');
    // PostgreSQL's children end on their own once their server is gone.
    await waitFor(() => crashed.every(isGone), { what: 'the crashed processes to end', timeoutMs: 30_000 });

    const status = await stack.run(['status', 'postgres', 'kafka']);
    expect(status.code, status.output).to.equal(1);
    expect(status.stdout).to.match(/postgres\s+stopped/);
    expect(status.stdout).to.match(/kafka\s+stopped/);

    const up = await stack.run(['up', 'postgres', 'kafka']);
    expect(up.code, up.output).to.equal(0);
    expect(up.stdout).to.match(/postgres\s+ready/);
    expect(up.stdout).to.match(/kafka\s+ready/);
    expect(stack.recordedPid('kafka')).to.be.a('number').and.not.equal(kafka);
  });

  it('down stops everything and leaves no process behind', async () => {
    const running = stackProcesses();
    expect(running.length, 'processes of the stack before down').to.be.above(0);

    const result = await stack.run(['down']);
    expect(result.code, result.output).to.equal(0);
    for (const part of ['prometheus', 'registry', 'kafka', 'postgres']) expect(result.stdout).to.match(new RegExp(`${part}\\s+stopped`));

    expect(running.filter((pid) => !isGone(pid)), 'processes still running after down').to.deep.equal([]);
    expect(processesMentioning(stack.home), 'processes naming the stack home').to.deep.equal([]);
    expect(stack.pidFiles(), 'pid files left').to.deep.equal([]);
    expect(stack.postmasterPid(), "PostgreSQL's postmaster.pid").to.equal(undefined);
  });

  it('status then exits 1 with everything stopped, and a second down is a harmless no-op', async () => {
    const status = await stack.run(['status']);
    expect(status.code, status.output).to.equal(1);
    for (const part of ['postgres', 'kafka', 'registry', 'prometheus']) expect(status.stdout).to.match(new RegExp(`${part}\\s+stopped`));

    const down = await stack.run(['down']);
    expect(down.code, down.output).to.equal(0);
  });
});
