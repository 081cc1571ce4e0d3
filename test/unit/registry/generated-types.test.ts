import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadSchemaCatalog } from '../../../scripts/schemas/catalog';
import { GENERATED_HEADER, renderGeneratedFiles } from '../../../scripts/schemas/generate-types';

const ROOT = path.resolve(__dirname, '../../..');
const GENERATED_DIR = path.join(ROOT, 'src/generated');
const FIXTURE = path.join(ROOT, 'test/fixtures/schemas-generator');

describe('generated types (src/generated)', () => {
  it('are fresh: regenerating from schemas/ gives exactly the committed files (else run npm run schemas:generate)', () => {
    const expected = renderGeneratedFiles(loadSchemaCatalog(path.join(ROOT, 'schemas')));
    expect(readdirSync(GENERATED_DIR).sort(), 'files in src/generated').to.deep.equal(Object.keys(expected).sort());
    for (const [name, content] of Object.entries(expected)) {
      expect(readFileSync(path.join(GENERATED_DIR, name), 'utf8'), `src/generated/${name} is stale; run npm run schemas:generate`).to.equal(content);
    }
  });

  it('embed the current version of each event with its compatibility mode', () => {
    const schemas = renderGeneratedFiles(loadSchemaCatalog(path.join(ROOT, 'schemas')))['avro-schemas.ts'] ?? '';
    expect(schemas).to.contain("fullName: 'io.orderflow.events.OrderCreated',\n    version: 3,\n    compatibility: 'FULL',");
    expect(schemas).to.contain("fullName: 'io.orderflow.events.OrderStatusUpdated',\n    version: 2,\n    compatibility: 'BACKWARD',");
  });
});

describe('the type generator', () => {
  const files = renderGeneratedFiles(loadSchemaCatalog(FIXTURE));
  const types = files['avro-types.ts'] ?? '';

  it('marks every file as generated', () => {
    for (const content of Object.values(files)) expect(content.startsWith(`${GENERATED_HEADER}\n`)).to.equal(true);
  });

  it('maps logical types to the runtime values avsc gives: Decimal, Date, string', () => {
    expect(types).to.contain("import type { Decimal } from 'decimal.js';");
    expect(types).to.contain('  id: string;');
    expect(types).to.contain('  at: Date;');
    expect(types).to.contain('  cost: Decimal;');
  });

  it('maps primitives, bytes, maps, arrays and nullable unions', () => {
    for (const line of ['  weight: number;', '  count: number;', '  fragile: boolean;', '  label: Buffer;', '  tags: Record<string, string>;', '  note: null | string;', '  parcels: Array<Parcel>;']) {
      expect(types).to.contain(line);
    }
  });

  it('writes enums as a symbol tuple and its union type, once even when two records define them', () => {
    expect(types).to.contain("export const PARCEL_SIZE_SYMBOLS = ['S', 'M', 'L'] as const;");
    expect(types).to.contain('export type ParcelSize = (typeof PARCEL_SIZE_SYMBOLS)[number];');
    expect(types.match(/export type ParcelSize /g)).to.have.length(1);
  });

  it('makes fields with a default optional in the Input type only', () => {
    const shipment = /export interface Shipment \{([^}]*)\}/.exec(types)?.[1] ?? '';
    const input = /export interface ShipmentInput \{([^}]*)\}/.exec(types)?.[1] ?? '';
    expect(shipment).to.contain('  fragile: boolean;');
    expect(input).to.contain('  fragile?: boolean;');
    expect(input).to.contain('  note?: null | string;');
    expect(input).to.contain('  parcels: Array<ParcelInput>;');
    expect(input).to.contain('  count: number;');
  });

  it('carries docs and defaults into TSDoc, escaping a comment end', () => {
    expect(types).to.contain('/** Exercises every mapping of the generator. */');
    expect(types).to.contain('  /** A time. */');
    expect(types).to.contain('  /** Has *\\/ inside. Default: null. */');
  });

  it('lists the event records and their compatibility modes (default and override)', () => {
    const schemas = files['avro-schemas.ts'] ?? '';
    expect(schemas).to.contain("export const EVENT_NAMES = ['Other', 'Shipment'] as const;");
    expect(schemas).to.contain("fullName: 'io.test.gen.Other',\n    version: 1,\n    compatibility: 'NONE',");
    expect(schemas).to.contain("fullName: 'io.test.gen.Shipment',\n    version: 1,\n    compatibility: 'FORWARD',");
  });

  describe('refuses', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'orderflow-schemas-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const write = (file: string, content: object) => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), JSON.stringify(content));
    };
    const record = (name: string, fields: object[]) => ({ type: 'record', name, namespace: 'io.test', fields });
    const size = (symbols: string[]) => ({ name: 'size', type: { type: 'enum', name: 'Size', symbols } });

    it('two copies of a shared type that differ', () => {
      write('A/v1.avsc', record('A', [size(['S', 'M'])]));
      write('B/v1.avsc', record('B', [size(['S', 'M', 'L'])]));
      expect(() => renderGeneratedFiles(loadSchemaCatalog(dir))).to.throw('io.test.Size is defined differently in A v1 and B v1');
    });

    it('a logical type that avsc is not wired for (it would silently become a number)', () => {
      write('A/v1.avsc', record('A', [{ name: 'day', type: { type: 'int', logicalType: 'date' } }]));
      expect(() => renderGeneratedFiles(loadSchemaCatalog(dir))).to.throw('logical type date is not wired into avsc');
    });
  });
});
