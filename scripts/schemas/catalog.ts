import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Type } from 'avsc';
import { avroType, LOGICAL_TYPES } from '../../src/lib/registry/logical-types';
import { DEFAULT_COMPATIBILITY, isCompatibilityMode, type CompatibilityMode } from '../../src/lib/registry/compatibility';

/** The schemas folder of the repository: the source of truth. */
export const SCHEMAS_DIR = path.resolve(__dirname, '../../schemas');

/** The raw JSON of a top-level record schema, as written in its .avsc file. */
export interface RecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: unknown[];
}

/** One version of a record: `schemas/<Record>/v<version>.avsc`. */
export interface SchemaVersion {
  version: number;
  file: string;
  schema: RecordSchema;
  /** The schema parsed by avsc with Orderflow's logical types. */
  type: Type;
}

/** A record's whole history; the highest version is the current writer schema. */
export interface RecordHistory {
  /** The record's name, which is also its folder name, e.g. OrderCreated. */
  name: string;
  /** Namespace-qualified name, e.g. io.orderflow.events.OrderCreated. */
  fullName: string;
  compatibility: CompatibilityMode;
  /** Oldest first, numbered 1..n without gaps. */
  versions: SchemaVersion[];
  current: SchemaVersion;
}

export interface SchemaCatalog {
  dir: string;
  /** Sorted by name, so reports and generated files are stable. */
  records: RecordHistory[];
}

/** A mistake in the schemas folder, named precisely enough to fix it. */
export class SchemaCatalogError extends Error {
  override name = 'SchemaCatalogError';
}

const VERSION_FILE = /^v([1-9][0-9]*)\.avsc$/;

/**
 * Reads every record history in `dir` (one folder per record, `v<N>.avsc` files) and
 * `compatibility.json`, and checks the layout: folder = record name, versions 1..n without
 * gaps, one full name per folder, parseable schemas, modes that exist, no override for a
 * record that does not.
 */
export function loadSchemaCatalog(dir: string = SCHEMAS_DIR): SchemaCatalog {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SchemaCatalogError(`schemas folder ${dir} does not exist`);
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const modes = readCompatibility(dir);
  const records = folders.map((folder) => loadHistory(dir, folder, modes));
  if (records.length === 0) throw new SchemaCatalogError(`schemas folder ${dir} holds no record folders`);
  const known = new Set(records.map((record) => record.fullName));
  for (const fullName of Object.keys(modes.subjects)) {
    if (!known.has(fullName)) throw new SchemaCatalogError(`${path.join(dir, 'compatibility.json')} names ${fullName}, which no schema defines`);
  }
  return { dir, records };
}

interface CompatibilityFile {
  default: CompatibilityMode;
  subjects: Record<string, CompatibilityMode>;
}

function readCompatibility(dir: string): CompatibilityFile {
  const file = path.join(dir, 'compatibility.json');
  if (!existsSync(file)) return { default: DEFAULT_COMPATIBILITY, subjects: {} };
  const raw = parseJson(file) as { default?: unknown; subjects?: unknown };
  const fallback = raw.default ?? DEFAULT_COMPATIBILITY;
  if (!isCompatibilityMode(fallback)) throw new SchemaCatalogError(`${file}: default '${String(fallback)}' is not a compatibility mode`);
  const subjects: Record<string, CompatibilityMode> = {};
  for (const [fullName, mode] of Object.entries((raw.subjects ?? {}) as Record<string, unknown>)) {
    if (!isCompatibilityMode(mode)) throw new SchemaCatalogError(`${file}: '${String(mode)}' for ${fullName} is not a compatibility mode`);
    subjects[fullName] = mode;
  }
  return { default: fallback, subjects };
}

function loadHistory(dir: string, folder: string, modes: CompatibilityFile): RecordHistory {
  const folderPath = path.join(dir, folder);
  const files = readdirSync(folderPath).filter((file) => file.endsWith('.avsc'));
  const versions = files
    .map((file) => {
      const match = VERSION_FILE.exec(file);
      if (!match) throw new SchemaCatalogError(`${path.join(folderPath, file)}: schema files are named v<N>.avsc`);
      return loadVersion(path.join(folderPath, file), Number(match[1]));
    })
    .sort((a, b) => a.version - b.version);
  versions.forEach((entry, index) => {
    if (entry.version !== index + 1) throw new SchemaCatalogError(`${folderPath}: versions must run v1..vN without gaps; v${index + 1} is missing`);
  });
  const current = versions.at(-1);
  if (!current) throw new SchemaCatalogError(`${folderPath} holds no v<N>.avsc files`);
  const fullName = current.type.name ?? '';
  for (const entry of versions) {
    if (entry.schema.name !== folder) throw new SchemaCatalogError(`${entry.file}: record '${entry.schema.name}' lives in folder ${folder}; name the folder after the record`);
    if (entry.type.name !== fullName) throw new SchemaCatalogError(`${entry.file}: full name ${entry.type.name ?? '?'} differs from ${fullName} of v${current.version}; a record keeps its full name`);
  }
  return { name: folder, fullName, compatibility: modes.subjects[fullName] ?? modes.default, versions, current };
}

function loadVersion(file: string, version: number): SchemaVersion {
  const schema = parseJson(file) as RecordSchema;
  if (schema === null || typeof schema !== 'object' || schema.type !== 'record') throw new SchemaCatalogError(`${file}: the top-level schema must be a record`);
  if (!schema.namespace) throw new SchemaCatalogError(`${file}: the record needs a namespace (subjects use its full name)`);
  const unsupported = logicalTypesIn(schema).filter((name) => !(name in LOGICAL_TYPES));
  if (unsupported.length > 0) {
    // avsc would silently read them as their underlying type (a 'date' as a plain number).
    throw new SchemaCatalogError(`${file}: logical type ${unsupported.join(', ')} is not wired into avsc; add it to src/lib/registry/logical-types.ts`);
  }
  let type: Type;
  try {
    type = avroType(schema);
  } catch (error) {
    throw new SchemaCatalogError(`${file}: not a valid Avro schema: ${(error as Error).message}`);
  }
  return { version, file, schema, type };
}

function logicalTypesIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(logicalTypesIn);
  if (node === null || typeof node !== 'object') return [];
  const own = (node as { logicalType?: unknown }).logicalType;
  return [...(typeof own === 'string' ? [own] : []), ...Object.values(node).flatMap(logicalTypesIn)];
}

function parseJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new SchemaCatalogError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}
