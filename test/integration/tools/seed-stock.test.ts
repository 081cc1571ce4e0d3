import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { GENERATED_CATALOGUE } from '../../../src/domain';
import { INVENTORY_DATABASE } from '../../../src/inventory-service';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';

const ROOT = join(__dirname, '..', '..', '..');

describe('npm run stock:seed (run by npm start)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  const seed = () =>
    spawnSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'scripts', 'seed-stock.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: testConfig().DATABASE_URL, INVENTORY_DB_SCHEMA: db.schema, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });

  before(async () => {
    db = await createTestDatabase(INVENTORY_DATABASE);
  });
  after(async () => db?.destroy());

  it('stocks every catalogue item once; stock set since, or left by orders, stays as it is', async () => {
    const first = seed();
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.contain(`stocked ${GENERATED_CATALOGUE.length} catalogue item(s) with 50 units each`);
    const stock = (await db.knex('stock').orderBy('item_id').select('item_id', 'available', 'reserved')) as Array<{ item_id: string; available: number; reserved: number }>;
    expect(stock.map((row) => row.item_id)).to.deep.equal([...GENERATED_CATALOGUE].sort());
    expect(new Set(stock.map((row) => `${row.available}/${row.reserved}`))).to.deep.equal(new Set(['50/0']));

    await db.knex('stock').where({ item_id: GENERATED_CATALOGUE[0] }).update({ available: 3, reserved: 7 });
    const again = seed();
    expect(again.status, again.stderr).to.equal(0);
    expect(again.stdout).to.contain(`stocked 0 catalogue item(s) with 50 units each; ${GENERATED_CATALOGUE.length} already had stock and keep it`);
    expect(await db.knex('stock').where({ item_id: GENERATED_CATALOGUE[0] }).first('available', 'reserved')).to.deep.equal({ available: 3, reserved: 7 });
  });

  it('fails with one clear line and exit 1 when the database is unreachable', () => {
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'scripts', 'seed-stock.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: 'postgres://orderflow:orderflow@127.0.0.1:1/orderflow', INVENTORY_DB_SCHEMA: db.schema, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect(run.status).to.equal(1);
    expect(run.stderr.trim()).to.match(/^✗ stocking the catalogue failed: .*ECONNREFUSED/);
  });
});
