import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadSchemaCatalog } from '../../../scripts/schemas/catalog';

describe('the schema catalog (schemas/ layout)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'orderflow-catalog-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, content: unknown) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  };
  const record = (name: string, extra: object[] = []) => ({ type: 'record', name, namespace: 'io.test', fields: [{ name: 'a', type: 'string' }, ...extra] });

  it('reads the repository schemas: every record with its history, current = highest version', () => {
    const catalog = loadSchemaCatalog();
    expect(catalog.records.map((entry) => `${entry.fullName} v${entry.current.version} ${entry.compatibility}`)).to.deep.equal([
      'io.orderflow.inventory.InventoryCommitted v1 BACKWARD',
      'io.orderflow.inventory.InventoryRejected v1 BACKWARD',
      'io.orderflow.inventory.InventoryReleased v1 BACKWARD',
      'io.orderflow.inventory.InventoryReserved v1 BACKWARD',
      'io.orderflow.events.OrderCreated v3 FULL',
      'io.orderflow.events.OrderStatusUpdated v2 BACKWARD',
    ]);
  });

  it('uses BACKWARD when there is no compatibility.json', () => {
    write('A/v1.avsc', record('A'));
    expect(loadSchemaCatalog(dir).records[0]?.compatibility).to.equal('BACKWARD');
  });

  it('refuses a gap in the versions', () => {
    write('A/v1.avsc', record('A'));
    write('A/v3.avsc', record('A'));
    expect(() => loadSchemaCatalog(dir)).to.throw('v2 is missing');
  });

  it('refuses a folder named differently from its record', () => {
    write('A/v1.avsc', record('B'));
    expect(() => loadSchemaCatalog(dir)).to.throw("record 'B' lives in folder A");
  });

  it('refuses a file not named v<N>.avsc', () => {
    write('A/v1.avsc', record('A'));
    write('A/latest.avsc', record('A'));
    expect(() => loadSchemaCatalog(dir)).to.throw('named v<N>.avsc');
  });

  it('refuses a record without namespace, and invalid Avro, naming the file', () => {
    write('A/v1.avsc', { type: 'record', name: 'A', fields: [] });
    expect(() => loadSchemaCatalog(dir)).to.throw(/A\/v1\.avsc: the record needs a namespace/);
    write('A/v1.avsc', { type: 'record', name: 'A', namespace: 'io.test', fields: [{ name: 'a', type: 'strin' }] });
    expect(() => loadSchemaCatalog(dir)).to.throw(/A\/v1\.avsc: not a valid Avro schema/);
    write('A/v1.avsc', '{ not json');
    expect(() => loadSchemaCatalog(dir)).to.throw(/A\/v1\.avsc: not valid JSON/);
  });

  it('refuses an unknown mode and an override for a record that does not exist', () => {
    write('A/v1.avsc', record('A'));
    write('compatibility.json', { default: 'SIDEWAYS' });
    expect(() => loadSchemaCatalog(dir)).to.throw("default 'SIDEWAYS' is not a compatibility mode");
    write('compatibility.json', { subjects: { 'io.test.Typo': 'FULL' } });
    expect(() => loadSchemaCatalog(dir)).to.throw('names io.test.Typo, which no schema defines');
  });
});
