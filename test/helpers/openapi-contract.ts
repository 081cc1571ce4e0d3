import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'chai';

/** The HTTP methods an OpenAPI path item may hold. */
export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

/** What a test got back: `headers` (fetch's Headers or a plain object) adds the content type and declared header checks. */
export interface ResponseToCheck {
  status: number;
  body: unknown;
  headers?: Headers | Record<string, string | string[] | undefined>;
}

export interface OpenApiChecker {
  /**
   * Asserts that the document declares this status for the operation (the exact code, else its
   * `2XX`-style range, else `default`) and that the body validates against the declared schema
   * of the response's media type. `path` is either the template (`/api/orders/{orderId}`) or a
   * concrete path as sent, query string included (`/api/orders/A-1?x=1`). With `headers`, the
   * response's Content-Type must be one the status declares, and declared headers must be
   * present when required and valid when present.
   */
  expectMatchesOpenApi(method: string, path: string, response: ResponseToCheck): void;
  /** True when the document has an operation for `method` and `path` (template or concrete). */
  hasOperation(method: string, path: string): boolean;
  /** Every declared `METHOD template status`, split into those a response has passed so far and the rest. */
  coverage(): { checked: string[]; unchecked: string[] };
}

interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: unknown } | undefined>;
  headers?: Record<string, { $ref?: string; required?: boolean; schema?: unknown } | undefined>;
}

interface OpenApiDocument {
  openapi?: unknown;
  paths?: Record<string, Record<string, { responses?: Record<string, ResponseObject> } | undefined> | undefined>;
}

const METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const DOCUMENT_KEY = 'openapi.json';

const pointerEscape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const pointerUnescape = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');
const toPointer = (segments: string[]) => segments.map(pointerEscape).join('/');

/**
 * A checker of responses against an OpenAPI 3.1 document. 3.1 schemas are JSON Schema 2020-12,
 * so Ajv's 2020 dialect validates them as they are, `$ref`s into `components` included; a 3.0
 * document (whose schemas are not JSON Schema: `nullable`, boolean `exclusiveMinimum`, ...) is
 * refused rather than checked wrongly. Each checker has its own Ajv, so several documents
 * (one per service) can be checked in one process.
 */
export function createOpenApiChecker(document: object): OpenApiChecker {
  const doc = document as OpenApiDocument;
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+/.test(doc.openapi)) {
    throw new Error(`createOpenApiChecker needs an OpenAPI 3.1 document (JSON Schema 2020-12 schemas); this one says openapi: ${String(doc.openapi)}`);
  }
  const paths = doc.paths ?? {};
  // strict: false because the document carries OpenAPI keywords (summary, content, ...) that are not JSON Schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, DOCUMENT_KEY);
  // Header values arrive as strings: this instance coerces "5" to 5 for an integer header schema.
  const headerAjv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: true });
  addFormats(headerAjv);
  headerAjv.addSchema(document, DOCUMENT_KEY);
  const headerValidators = new Map<string, ValidateFunction>();
  const checked = new Set<string>();

  // Concrete paths match before templated ones, and among templates the one with fewer parameters wins.
  const templates = Object.keys(paths)
    .filter((template) => template.includes('{'))
    .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
    .map((template) => {
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('');
      return { template, pattern: new RegExp(`^${source}$`) };
    });

  function templateOf(path: string): string | undefined {
    const bare = path.split(/[?#]/)[0] ?? path;
    if (paths[bare]) return bare;
    return templates.find(({ pattern }) => pattern.test(bare))?.template;
  }

  /** Follows a local `$ref` chain; returns the object and the JSON pointer segments where it lives. */
  function resolve<T extends { $ref?: string }>(value: T, at: string[]): { value: T; at: string[] } {
    let current = value;
    let where = at;
    for (let hops = 0; typeof current.$ref === 'string'; hops += 1) {
      if (!current.$ref.startsWith('#/') || hops > 20) throw new Error(`unsupported $ref '${current.$ref}' at ${toPointer(where)}`);
      where = current.$ref.slice(2).split('/').map(pointerUnescape);
      let target: unknown = document;
      for (const segment of where) target = (target as Record<string, unknown> | undefined)?.[segment];
      if (target === undefined) throw new Error(`$ref '${current.$ref}' points at nothing`);
      current = target as T;
    }
    return { value: current, at: where };
  }

  function headerOf(headers: ResponseToCheck['headers'], name: string): string | undefined {
    if (!headers) return undefined;
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
    return Array.isArray(entry) ? entry.join(', ') : entry;
  }

  /** The declared media type a response's Content-Type falls under (exact, `type/*`, then `*\/*`). */
  function mediaTypeFor(content: Record<string, unknown>, contentType: string | undefined): string | undefined {
    const keys = Object.keys(content);
    if (contentType === undefined) return keys.includes('application/json') ? 'application/json' : keys.length === 1 ? keys[0] : undefined;
    const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
    const [type] = essence.split('/');
    return keys.find((key) => key.toLowerCase() === essence) ?? keys.find((key) => key.toLowerCase() === `${type}/*`) ?? keys.find((key) => key === '*/*');
  }

  function validator(instance: Ajv2020, pointer: string[]): ValidateFunction {
    const id = `${DOCUMENT_KEY}#/${toPointer(pointer)}`;
    const validate = instance.getSchema(id);
    if (!validate) throw new Error(`no schema at ${id}`);
    return validate;
  }

  return {
    hasOperation(method, path) {
      const template = templateOf(path);
      return template !== undefined && paths[template]?.[method.toLowerCase()] !== undefined;
    },

    expectMatchesOpenApi(method, path, response) {
      const verb = method.toLowerCase();
      const what = `${verb.toUpperCase()} ${path} -> ${response.status}`;
      const template = templateOf(path);
      expect(template, `the OpenAPI document has a path for ${path}`).to.not.equal(undefined);
      const operation = paths[template as string]?.[verb];
      expect(operation, `the OpenAPI document declares ${verb.toUpperCase()} ${template}`).to.not.equal(undefined);
      const responses = operation?.responses ?? {};
      const status = String(response.status);
      const key = [status, `${status[0]}XX`, `${status[0]}xx`, 'default'].find((candidate) => responses[candidate] !== undefined);
      expect(key, `the OpenAPI document declares ${verb.toUpperCase()} ${template} -> ${status} (declared: ${Object.keys(responses).join(', ')})`).to.not.equal(undefined);

      const { value: declared, at } = resolve(responses[key as string] as ResponseObject, ['paths', template as string, verb, 'responses', key as string]);
      const contentType = headerOf(response.headers, 'content-type');

      if (declared.content && Object.keys(declared.content).length > 0) {
        const mediaType = mediaTypeFor(declared.content, contentType);
        expect(mediaType, `${what}: Content-Type '${contentType ?? '(none)'}' is one of ${Object.keys(declared.content).join(', ')}`).to.not.equal(undefined);
        if (declared.content[mediaType as string]?.schema !== undefined) {
          const validate = validator(ajv, [...at, 'content', mediaType as string, 'schema']);
          const valid = validate(response.body);
          expect(valid, `${what} matches the OpenAPI document: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`).to.equal(true);
        }
      }

      if (response.headers) {
        for (const [name, header] of Object.entries(declared.headers ?? {})) {
          if (!header || name.toLowerCase() === 'content-type') continue;
          const { value: spec, at: specAt } = resolve(header, [...at, 'headers', name]);
          const value = headerOf(response.headers, name);
          if (value === undefined) {
            expect(spec.required === true, `${what}: declared header ${name} is required but missing`).to.equal(false);
            continue;
          }
          if (spec.schema === undefined) continue;
          const id = toPointer([...specAt, 'schema']);
          let validate = headerValidators.get(id);
          if (!validate) {
            validate = headerAjv.compile({ type: 'object', properties: { value: { $ref: `${DOCUMENT_KEY}#/${id}` } } });
            headerValidators.set(id, validate);
          }
          const valid = validate({ value });
          expect(valid, `${what}: header ${name}: ${headerAjv.errorsText(validate.errors, { dataVar: name })}`).to.equal(true);
        }
      }
      // Counted only once everything above held.
      checked.add(`${verb.toUpperCase()} ${template} ${key}`);
    },

    coverage() {
      const all: string[] = [];
      for (const [template, item] of Object.entries(paths)) {
        for (const verb of METHODS) {
          for (const status of Object.keys(item?.[verb]?.responses ?? {})) all.push(`${verb.toUpperCase()} ${template} ${status}`);
        }
      }
      return { checked: all.filter((entry) => checked.has(entry)), unchecked: all.filter((entry) => !checked.has(entry)) };
    },
  };
}

/**
 * `entries` of a coverage list without the answers only a service with API keys gives (401, 403,
 * 429): a test in open mode cannot provoke them; test/integration/access/api-keys.test.ts does.
 */
export function withoutKeyAnswers(entries: string[]): string[] {
  return entries.filter((entry) => !/ (401|403|429)$/.test(entry));
}
