import { expect } from 'chai';
import avro, { type Type } from 'avsc';
import { loadSchemaCatalog, type RecordHistory } from '../../scripts/schemas/catalog';
import { schemaText } from '../../scripts/schemas/schema-sync';
import { avroType, frameWireRecord, parseWireHeader, promisedReadPairs, subjectFor, type RegistryClient } from '../../src/lib/registry';
import { plain, randomTopic, registryReady, SAMPLES, SCHEMAS_DIR } from './registry-kit';

/*
 * The history contract: under its subject's mode, every version of every record registers in
 * order, and data written with each version is read by every version the mode promises —
 * through the registry, as a consumer does (writer schema fetched by the id in the record).
 */

const catalog = loadSchemaCatalog(SCHEMAS_DIR);

/** What a reader should see for `value`: its own fields, defaults for fields the writer lacks. */
function asReadBy(type: Type, value: unknown): unknown {
  if (avro.Type.isType(type, 'record')) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      (type as avro.types.RecordType).fields.map((field) => [field.name, record[field.name] === undefined ? field.defaultValue() : asReadBy(field.type, record[field.name])]),
    );
  }
  if (avro.Type.isType(type, 'array')) return (value as unknown[]).map((item) => asReadBy((type as avro.types.ArrayType).itemsType, item));
  if (avro.Type.isType(type, 'union')) {
    const branch = (type as avro.types.UnwrappedUnionType).types.find((candidate: Type) => candidate.typeName !== 'null');
    return value === null || branch === undefined ? value : asReadBy(branch, value);
  }
  // A symbol the reader does not know reads as the enum's default (a newer writer's status for an older reader).
  if (avro.Type.isType(type, 'enum')) {
    // avsc keeps the enum's default on the type (its typings do not declare it).
    const { symbols, default: fallback } = type as avro.types.EnumType & { default?: string };
    return symbols.includes(value as string) ? value : fallback;
  }
  return value;
}

function sampleOf(record: RecordHistory, version: number): Record<string, unknown> {
  const sample = SAMPLES[`${record.name}/v${version}`];
  if (!sample) throw new Error(`no sample record for ${record.name} v${version}; add one to SAMPLES in test/contract/registry-kit.ts`);
  return sample;
}

describe('schema history contract (real registry)', function () {
  let client: RegistryClient;

  before(async function () {
    client = await registryReady();
  });

  for (const record of catalog.records) {
    describe(`${record.name} (${record.compatibility}, ${record.versions.length} version${record.versions.length === 1 ? '' : 's'})`, function () {
      const topic = randomTopic();
      const subject = subjectFor(topic, record.fullName);
      const ids = new Map<number, number>();
      const verdicts: string[] = [];

      // Registers the history oldest first, as schemas:register would, asking the registry's
      // compatibility check before each later version.
      before(async function () {
        await client.setCompatibility(subject, record.compatibility);
        for (const version of record.versions) {
          if (version.version > 1) {
            const verdict = await client.checkCompatibility(subject, schemaText(version));
            verdicts.push(`v${version.version}: ${verdict.compatible ? 'compatible' : `incompatible ${verdict.messages.join('; ')}`}`);
          }
          ids.set(version.version, (await client.register(subject, schemaText(version))).id);
        }
      });

      it(`registers v1..v${record.versions.length} in order, each later one passing the registry's ${record.compatibility} check`, async function () {
        expect(verdicts).to.deep.equal(record.versions.slice(1).map((version) => `v${version.version}: compatible`));
        expect(await client.versions(subject)).to.deep.equal(record.versions.map((version) => version.version));
        expect(await client.compatibility(subject)).to.equal(record.compatibility);
      });

      it('has a sample record for every version that fits it', function () {
        for (const version of record.versions) {
          expect(version.type.isValid(sampleOf(record, version.version)), `${record.name} v${version.version} sample`).to.equal(true);
        }
      });

      for (const { writer, reader } of promisedReadPairs(record.compatibility, record.versions.length)) {
        const direction = writer === reader ? 'itself' : writer < reader ? 'a newer reader' : 'an older reader';
        it(`reads data written with v${writer} with the v${reader} schema (${direction})`, async function () {
          const writerVersion = record.versions[writer - 1];
          const readerVersion = record.versions[reader - 1];
          const writerId = ids.get(writer);
          if (!writerVersion || !readerVersion || writerId === undefined) throw new Error(`v${writer} or v${reader} is not registered`);
          const sample = sampleOf(record, writer);
          const bytes = frameWireRecord(writerId, writerVersion.type.toBuffer(sample));

          // The consumer's path: the id in the record names the writer schema in the registry.
          const { schemaId, payload } = parseWireHeader(bytes);
          const writerSchema = avroType(JSON.parse((await client.schemaById(schemaId)).schema) as object);
          const readerType = avroType(readerVersion.schema);
          const decoded = readerType.fromBuffer(payload, readerType.createResolver(writerSchema));

          expect(plain(decoded)).to.deep.equal(plain(asReadBy(readerType, sample)));
        });
      }
    });
  }

  it('OrderStatusUpdated: a v1 reader (before processing) reads a v2 record with processing as unknown, the enum default', function () {
    const history = catalog.records.find((entry) => entry.name === 'OrderStatusUpdated');
    const [v1, v2] = history?.versions ?? [];
    if (!v1 || !v2) throw new Error('OrderStatusUpdated needs v1 and v2');
    const sample = SAMPLES['OrderStatusUpdated/v2'] as { status: string; previousStatus: string };
    expect(sample.status).to.equal('processing');
    const decoded = v1.type.fromBuffer(v2.type.toBuffer(sample), v1.type.createResolver(v2.type)) as { status: string; previousStatus: string };
    expect([decoded.status, decoded.previousStatus]).to.deep.equal(['unknown', 'paid']);
  });

  it('OrderCreated: old readers and new readers both read old and new records (FULL)', function () {
    const orderCreated = catalog.records.find((entry) => entry.name === 'OrderCreated');
    expect(orderCreated?.compatibility).to.match(/^FULL/);
    const pairs = promisedReadPairs(orderCreated?.compatibility ?? 'NONE', 2).map(({ writer, reader }) => `${writer}->${reader}`);
    expect(pairs).to.include.members(['1->2', '2->1']);
  });
});
