import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { subjectFor, type RegistryClient } from '../../src/lib/registry';
import { randomTopic, registryReady, REGISTRY_URL, runRegisterScript, schemasWith, unreachableRegistryUrl } from './registry-kit';

const ORDER_CREATED = 'io.orderflow.events.OrderCreated';
const STATUS_UPDATED = 'io.orderflow.events.OrderStatusUpdated';
const INVENTORY_RESERVED = 'io.orderflow.inventory.InventoryReserved';

describe('npm run schemas:register (child process, real registry)', function () {
  let client: RegistryClient;
  const tempDirs: string[] = [];
  const register = (topic: string, ...extra: string[]) => runRegisterScript(['--registry-url', REGISTRY_URL, '--topic', topic, '--inventory-topic', `${topic}-inventory`, ...extra]);
  const overlay = (...names: string[]) => {
    const dir = schemasWith(...names);
    tempDirs.push(dir);
    return dir;
  };
  const versionsOf = async (topic: string) => ({
    orderCreated: await client.versions(subjectFor(topic, ORDER_CREATED)),
    statusUpdated: await client.versions(subjectFor(topic, STATUS_UPDATED)),
  });

  before(async function () {
    client = await registryReady();
  });

  after(function () {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('on fresh subjects registers every version in order, sets each mode, and prints a report per subject', async function () {
    const topic = randomTopic();
    const run = await register(topic);
    expect(run.code, run.stderr).to.equal(0);
    expect(await versionsOf(topic)).to.deep.equal({ orderCreated: [1, 2, 3], statusUpdated: [1, 2] });
    expect(await client.compatibility(subjectFor(topic, ORDER_CREATED))).to.equal('FULL');
    expect(await client.compatibility(subjectFor(topic, STATUS_UPDATED))).to.equal('BACKWARD');
    expect(run.stdout).to.contain(`${subjectFor(topic, ORDER_CREATED)}  [FULL]`);
    expect(run.stdout).to.contain('latest registered: none (new subject)');
    expect(run.stdout).to.match(/v2\.avsc {2}compatible \(checked locally \(avsc\) against v1, not in the registry yet\) {2}-> registered as version 2, schema id \d+/);
    expect(run.stdout).to.contain('✓ registered 9 new schema versions.');
    // The inventory events' subjects hang off their own topic.
    expect(await client.versions(subjectFor(`${topic}-inventory`, INVENTORY_RESERVED))).to.deep.equal([1]);
    expect(await client.versions(subjectFor(topic, INVENTORY_RESERVED)), 'not under the order events topic').to.equal(undefined);
  });

  it('refuses a record of a namespace no topic carries: exit 1, the reason, and nothing registered', async function () {
    const topic = randomTopic();
    const run = await register(topic, '--schemas-dir', overlay('unknown-namespace'));
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('✗ schemas:register: io.orderflow.payments.Refund is in no topic\'s namespace (io.orderflow.events, io.orderflow.inventory)');
    expect(await versionsOf(topic)).to.deep.equal({ orderCreated: undefined, statusUpdated: undefined });
  });

  it('a second run registers nothing new and says so', async function () {
    const topic = randomTopic();
    expect((await register(topic)).code).to.equal(0);
    const again = await register(topic);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain('latest registered: version 3 (= v3.avsc)');
    expect(again.stdout).to.contain('up to date');
    expect(again.stdout).to.contain('✓ nothing to register: every schema version is already registered.');
    expect(await versionsOf(topic)).to.deep.equal({ orderCreated: [1, 2, 3], statusUpdated: [1, 2] });
  });

  it('registers a new version after a check by the registry against the latest registered one', async function () {
    const topic = randomTopic();
    const subject = subjectFor(topic, ORDER_CREATED);
    // The state of a deployment made before v2 existed: only v1 registered.
    const v1Only = overlay();
    rmSync(`${v1Only}/OrderCreated/v2.avsc`);
    rmSync(`${v1Only}/OrderCreated/v3.avsc`);
    expect((await register(topic, '--schemas-dir', v1Only)).code).to.equal(0);
    expect(await client.versions(subject)).to.deep.equal([1]);

    const run = await register(topic);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('v2.avsc  compatible (checked by the registry against version 1)');
    expect(run.stdout).to.contain('v3.avsc  compatible (checked locally (avsc) against v2, not in the registry yet)');
    expect(await client.versions(subject)).to.deep.equal([1, 2, 3]);
  });

  it('refuses a field removed without default (breaks FULL): exit 1, the reason, and no new version', async function () {
    const topic = randomTopic();
    expect((await register(topic)).code).to.equal(0);
    const run = await register(topic, '--schemas-dir', overlay('field-removed'));
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('v4.avsc  INCOMPATIBLE under FULL (checked by the registry against version 3)');
    expect(run.stdout).to.match(/readers of registered version 3 cannot read its data: .*currency/);
    expect(run.stderr).to.contain('✗ refused: 1 schema version incompatible (OrderCreated/v4.avsc); nothing was registered.');
    expect(await versionsOf(topic)).to.deep.equal({ orderCreated: [1, 2, 3], statusUpdated: [1, 2] });
  });

  it('refuses a changed field type (breaks BACKWARD): exit 1, the reason, and no new version', async function () {
    const topic = randomTopic();
    expect((await register(topic)).code).to.equal(0);
    const run = await register(topic, '--schemas-dir', overlay('type-changed'));
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('v3.avsc  INCOMPATIBLE under BACKWARD (checked by the registry against version 2)');
    expect(run.stdout).to.contain('cannot read "string" as "long"');
    expect(await versionsOf(topic)).to.deep.equal({ orderCreated: [1, 2, 3], statusUpdated: [1, 2] });
  });

  it('registers nothing at all when one subject fails, not even the compatible versions of the others', async function () {
    const topic = randomTopic();
    const run = await register(topic, '--schemas-dir', overlay('type-changed'));
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('INCOMPATIBLE under BACKWARD (checked locally (avsc) against v2, not in the registry yet)');
    expect(await versionsOf(topic)).to.deep.equal({ orderCreated: undefined, statusUpdated: undefined });
  });

  it('with --dry-run checks and reports but registers nothing', async function () {
    const topic = randomTopic();
    const run = await register(topic, '--dry-run');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('✓ 9 new schema versions would be registered (dry run).');
    expect(await versionsOf(topic)).to.deep.equal({ orderCreated: undefined, statusUpdated: undefined });
  });

  it('an unreachable registry gives one clear line and exit 1, no stack trace', async function () {
    const url = await unreachableRegistryUrl();
    const run = await runRegisterScript(['--registry-url', url, '--topic', randomTopic()]);
    expect(run.code).to.equal(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(new RegExp(`^✗ schemas:register: schema registry at ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is unreachable: .*ECONNREFUSED`));
    expect(run.stderr).to.not.match(/^\s+at /m);
  });

  it('a broken schemas folder gives one clear line naming the file, and exit 1', async function () {
    const run = await runRegisterScript(['--registry-url', REGISTRY_URL, '--topic', randomTopic(), '--schemas-dir', 'test/fixtures/no-such-folder']);
    expect(run.code).to.equal(1);
    expect(run.stderr.trim()).to.match(/^✗ schemas:register: schemas folder .*no-such-folder does not exist$/);
  });
});
