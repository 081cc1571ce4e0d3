import avro, { type Type } from 'avsc';
import type { RecordHistory, SchemaCatalog } from './catalog';

/*
 * Renders TypeScript from the current version of every record, walking the types avsc parsed
 * (with our logical types), so the types describe exactly the values avsc produces and takes.
 *
 * Why not @ovotech/avro-ts (the maintained generator): 6.2.0 writes a broken import for a
 * logical type mapped to an imported class (`import { Decimal as  } from "decimal.js"`), pins
 * TypeScript 4 as its own dependency, and emits namespaces; what we need fits in this file.
 */

/** First line of every generated file. */
export const GENERATED_HEADER = '// Generated from schemas/ by `npm run schemas:generate` — do not edit.';

/** Files of src/generated/, by file name. */
export type GeneratedFiles = Record<string, string>;

/** How a logical type appears in TypeScript; anything not listed is refused. */
const LOGICAL_TS_TYPES: Readonly<Record<string, string>> = {
  'logical:decimal': 'Decimal',
  'logical:timestamp-millis': 'Date',
  'logical:uuid': 'string',
};

const PRIMITIVE_TS_TYPES: Readonly<Record<string, string>> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  fixed: 'Buffer',
  string: 'string',
};

/** avsc keeps a field's doc at run time but its typings do not declare it. */
type DocumentedField = { name: string; type: Type; doc?: string; defaultValue(): unknown };

/** Renders avro-types.ts, avro-schemas.ts and index.ts for `catalog`. Pure: same catalog, same text. */
export function renderGeneratedFiles(catalog: SchemaCatalog): GeneratedFiles {
  const named = collectNamedTypes(catalog.records);
  return {
    'avro-types.ts': renderTypes(named),
    'avro-schemas.ts': renderSchemas(catalog.records),
    'index.ts': [GENERATED_HEADER, '', "export * from './avro-types';", "export * from './avro-schemas';", ''].join('\n'),
  };
}

interface NamedType {
  type: Type;
  /** Where it was first defined, for error messages. */
  origin: string;
}

/** Every record and enum of the current schemas, first-seen order, one per full name. */
function collectNamedTypes(records: RecordHistory[]): Map<string, NamedType> {
  const named = new Map<string, NamedType>();
  const simpleNames = new Map<string, string>();
  const visit = (type: Type, origin: string): void => {
    if (avro.Type.isType(type, 'logical')) return;
    if (avro.Type.isType(type, 'array')) return visit((type as avro.types.ArrayType).itemsType, origin);
    if (avro.Type.isType(type, 'map')) return visit((type as avro.types.MapType).valuesType as Type, origin);
    if (avro.Type.isType(type, 'union')) return (type as avro.types.UnwrappedUnionType).types.forEach((branch) => visit(branch, origin));
    if (!avro.Type.isType(type, 'record', 'enum')) return;
    const fullName = type.name ?? '';
    const seen = named.get(fullName);
    if (seen) {
      // Schemas are self-contained, so a shared type (OrderStatus) is written in each of them;
      // the copies must agree or the generated type would be right for one record only.
      if (!seen.type.equals(type)) throw new Error(`${fullName} is defined differently in ${seen.origin} and ${origin}; make the copies identical`);
      return;
    }
    const simple = simpleName(fullName);
    const clash = simpleNames.get(simple);
    if (clash !== undefined) throw new Error(`${fullName} and ${clash} would both become the TypeScript type ${simple}`);
    simpleNames.set(simple, fullName);
    named.set(fullName, { type, origin });
    if (avro.Type.isType(type, 'record')) (type as avro.types.RecordType).fields.forEach((field) => visit(field.type, origin));
  };
  for (const record of records) visit(record.current.type, `${record.name} v${record.current.version}`);
  return named;
}

function renderTypes(named: Map<string, NamedType>): string {
  const body: string[] = [];
  let usesDecimal = false;
  const tsType = (type: Type, input: boolean): string => {
    const typeName = type.typeName;
    if (typeName === 'logical:decimal') usesDecimal = true;
    const mapped = LOGICAL_TS_TYPES[typeName] ?? PRIMITIVE_TS_TYPES[typeName];
    if (mapped !== undefined) return mapped;
    if (typeName.startsWith('logical:')) throw new Error(`no TypeScript mapping for Avro logical type ${typeName.slice(8)}; add it to LOGICAL_TS_TYPES`);
    if (avro.Type.isType(type, 'array')) return `Array<${tsType((type as avro.types.ArrayType).itemsType, input)}>`;
    if (avro.Type.isType(type, 'map')) return `Record<string, ${tsType((type as avro.types.MapType).valuesType as Type, input)}>`;
    if (avro.Type.isType(type, 'union:unwrapped')) return (type as avro.types.UnwrappedUnionType).types.map((branch) => tsType(branch, input)).join(' | ');
    if (avro.Type.isType(type, 'record')) return simpleName(type.name ?? '') + (input ? 'Input' : '');
    if (avro.Type.isType(type, 'enum')) return simpleName(type.name ?? '');
    throw new Error(`no TypeScript mapping for Avro type ${typeName}`);
  };

  for (const { type } of named.values()) {
    const name = simpleName(type.name ?? '');
    if (avro.Type.isType(type, 'enum')) {
      const symbols = (type as avro.types.EnumType).symbols;
      const constant = `${screamingSnake(name)}_SYMBOLS`;
      body.push(docComment(`The symbols of ${type.name ?? name}, in schema order.`, ''));
      body.push(`export const ${constant} = [${symbols.map((symbol) => `'${symbol}'`).join(', ')}] as const;`, '');
      body.push(docComment(type.doc, ''));
      body.push(`export type ${name} = (typeof ${constant})[number];`, '');
      continue;
    }
    const fields = (type as avro.types.RecordType).fields as unknown as DocumentedField[];
    for (const input of [false, true]) {
      const doc = input
        ? `What encoding accepts for {@link ${name}}: fields with a schema default may be left out (avsc writes the default).`
        : (type.doc ?? `${type.name ?? name}.`);
      body.push(docComment(doc, ''));
      body.push(`export interface ${name}${input ? 'Input' : ''} {`);
      for (const field of fields) {
        const fallback = field.defaultValue();
        const defaultNote = fallback === undefined ? undefined : `Default: ${JSON.stringify(fallback)}.`;
        const fieldDoc = [field.doc, defaultNote].filter((part) => part !== undefined).join(' ');
        if (fieldDoc !== '') body.push(docComment(fieldDoc, '  '));
        body.push(`  ${field.name}${input && fallback !== undefined ? '?' : ''}: ${tsType(field.type, input)};`);
      }
      body.push('}', '');
    }
  }
  const imports = usesDecimal ? ["import type { Decimal } from 'decimal.js';", ''] : [];
  return [GENERATED_HEADER, '', ...imports, ...body].join('\n');
}

function renderSchemas(records: RecordHistory[]): string {
  const names = records.map((record) => record.name);
  const namespaces = new Map<string, string[]>();
  for (const record of records) {
    const namespace = record.fullName.slice(0, record.fullName.lastIndexOf('.'));
    namespaces.set(namespace, [...(namespaces.get(namespace) ?? []), record.name]);
  }
  const lines = [
    GENERATED_HEADER,
    '',
    `import type { ${names.flatMap((name) => [name, `${name}Input`]).join(', ')} } from './avro-types';`,
    '',
    '/** The event records of schemas/ (one folder each). */',
    `export const EVENT_NAMES = [${names.map((name) => `'${name}'`).join(', ')}] as const;`,
    '',
    'export type EventName = (typeof EVENT_NAMES)[number];',
    '',
    '/** The event records of each namespace; a namespace is the records of one topic (src/lib/registry/event-streams.ts). */',
    'export const EVENT_NAMES_BY_NAMESPACE = {',
    ...[...namespaces].map(([namespace, members]) => `  '${namespace}': [${members.map((name) => `'${name}'`).join(', ')}],`),
    '} as const;',
    '',
    '/** The decoded value of each event record, in its current version. */',
    'export interface EventRecords {',
    ...names.map((name) => `  ${name}: ${name};`),
    '}',
    '',
    '/** What encoding accepts for each event record, in its current version. */',
    'export interface EventInputs {',
    ...names.map((name) => `  ${name}: ${name}Input;`),
    '}',
    '',
    '/** The current writer schema of an event record and the rule its subject evolves by. */',
    'export interface EventSchema {',
    '  /** Namespace-qualified record name; the subject is `<topic>-<fullName>`. */',
    '  fullName: string;',
    '  /** The highest version in schemas/<name>/. */',
    '  version: number;',
    '  /** Compatibility mode of the subject, from schemas/compatibility.json. */',
    '  compatibility: string;',
    '  /** The content of schemas/<name>/v<version>.avsc. */',
    "  schema: { type: 'record'; name: string; namespace: string; doc?: string; fields: unknown[] };",
    '}',
    '',
    '/** The current writer schema of every event record. */',
    'export const EVENT_SCHEMAS: Readonly<Record<EventName, EventSchema>> = {',
  ];
  for (const record of records) {
    const schemaText = JSON.stringify(record.current.schema, null, 2).split('\n').join('\n    ');
    lines.push(
      `  ${record.name}: {`,
      `    fullName: '${record.fullName}',`,
      `    version: ${record.current.version},`,
      `    compatibility: '${record.compatibility}',`,
      `    schema: ${schemaText},`,
      '  },',
    );
  }
  lines.push('};', '');
  return lines.join('\n');
}

function simpleName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf('.') + 1);
}

function screamingSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function docComment(text: string | undefined, indent: string): string {
  if (text === undefined || text === '') return `${indent}/** (no doc in the schema) */`;
  return `${indent}/** ${text.replace(/\*\//g, '*\\/')} */`;
}
