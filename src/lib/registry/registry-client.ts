import { AppError } from '../../errors';
import { isCompatibilityMode, type CompatibilityMode } from './compatibility';

/*
 * A small client for the Confluent Schema Registry REST API (which Apicurio serves under
 * /apis/ccompat/v7). @kafkajs/confluent-schema-registry registers and encodes, but it exposes
 * neither the compatibility check nor per-subject config, and its errors drop the registry's
 * `error_code` and report a refused connection as HTTP 400 — while the consumer must tell
 * "schema 42 does not exist" (40403: poison) from "the registry is down" (retry).
 */

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Confluent error codes this module acts on. */
export const REGISTRY_ERROR_CODES = {
  SUBJECT_NOT_FOUND: 40401,
  VERSION_NOT_FOUND: 40402,
  SCHEMA_NOT_FOUND: 40403,
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: 40408,
  INCOMPATIBLE_SCHEMA: 409,
  INVALID_SCHEMA: 42201,
} as const;

/** The registry answered, with an error status below 500. */
export class RegistryHttpError extends Error {
  override name = 'RegistryHttpError';

  constructor(
    readonly status: number,
    /** Confluent's `error_code` (e.g. 40403); undefined when the body was not a registry error. */
    readonly errorCode: number | undefined,
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/** A schema as the registry stores it. */
export interface RegisteredSchema {
  subject: string;
  version: number;
  id: number;
  schema: string;
}

/** The registry's verdict on a candidate schema against a subject's latest version. */
export interface CompatibilityVerdict {
  compatible: boolean;
  /** The registry's reasons (Confluent with ?verbose=true); Apicurio's ccompat gives none. */
  messages: string[];
}

export interface RegistryClientOptions {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:18081/apis/ccompat/v7 */
  baseUrl: string;
  /** Per request; a registry that hangs is as unavailable as one that is down. */
  timeoutMs?: number;
}

/**
 * Creates a client for the Confluent Schema Registry API. A registry that cannot be reached,
 * times out or answers 5xx raises AppError DEPENDENCY_UNAVAILABLE (retriable); other error
 * answers raise RegistryHttpError, except where a method documents `undefined` for "not found".
 */
/** A config answer of the registry: Confluent names the mode `compatibilityLevel`, on writes `compatibility`. */
interface RegistryConfig {
  compatibilityLevel?: string;
  compatibility?: string;
}

/** The mode a config answer names, when it names one this project knows. */
function modeOf(config: RegistryConfig | undefined): CompatibilityMode | undefined {
  const mode = config?.compatibilityLevel ?? config?.compatibility;
  return isCompatibilityMode(mode) ? mode : undefined;
}

export function createRegistryClient({ baseUrl, timeoutMs = 10_000 }: RegistryClientOptions) {
  const base = baseUrl.replace(/\/+$/, '');

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${base}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { 'Content-Type': CONTENT_TYPE, Accept: `${CONTENT_TYPE}, application/json` },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AppError('DEPENDENCY_UNAVAILABLE', `schema registry at ${base} is unreachable: ${networkDetail(error)}`, { cause: error });
    }
    const text = await response.text();
    const data = parseJson(text);
    if (response.ok) return data as T;
    const { message, error_code: errorCode } = (data ?? {}) as { message?: unknown; error_code?: unknown };
    const detail = typeof message === 'string' ? message : text.slice(0, 200) || response.statusText;
    if (response.status >= 500) {
      throw new AppError('DEPENDENCY_UNAVAILABLE', `schema registry at ${base} answered ${response.status} to ${method} ${path}: ${detail}`);
    }
    throw new RegistryHttpError(response.status, typeof errorCode === 'number' ? errorCode : undefined, `${method} ${path} answered ${response.status}: ${detail}`, url);
  }

  /** Runs `call`, turning the registry's "no such subject / version / schema" into undefined. */
  async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      return await call;
    } catch (error) {
      if (isRegistryNotFound(error)) return undefined;
      throw error;
    }
  }

  const subjectPath = (subject: string) => encodeURIComponent(subject);

  return {
    baseUrl: base,

    /** GET /schemas/ids/{id}: the schema text; RegistryHttpError 404/40403 when unknown. */
    schemaById(id: number): Promise<{ schema: string; schemaType?: string }> {
      return request('GET', `/schemas/ids/${id}`);
    },

    /** GET /subjects/{subject}/versions, ascending; undefined when the subject does not exist. */
    async versions(subject: string): Promise<number[] | undefined> {
      const versions = await unlessNotFound(request<number[]>('GET', `/subjects/${subjectPath(subject)}/versions`));
      return versions?.slice().sort((a, b) => a - b);
    },

    /** GET /subjects/{subject}/versions/{version}; undefined when there is no such version. */
    version(subject: string, version: number | 'latest'): Promise<RegisteredSchema | undefined> {
      return unlessNotFound(request('GET', `/subjects/${subjectPath(subject)}/versions/${version}`));
    },

    /** POST /subjects/{subject}: the version that holds exactly `schema`, or undefined. */
    lookup(subject: string, schema: string): Promise<RegisteredSchema | undefined> {
      return unlessNotFound(request('POST', `/subjects/${subjectPath(subject)}`, { schema }));
    },

    /** POST /subjects/{subject}/versions: registers (or finds) `schema`; returns its id. */
    register(subject: string, schema: string): Promise<{ id: number }> {
      return request('POST', `/subjects/${subjectPath(subject)}/versions`, { schema });
    },

    /** GET /config: the registry's global compatibility mode, when it names one. */
    async globalCompatibility(): Promise<CompatibilityMode | undefined> {
      return modeOf(await request<RegistryConfig>('GET', '/config'));
    },

    /** PUT /config/{subject}. */
    async setCompatibility(subject: string, mode: CompatibilityMode): Promise<void> {
      await request('PUT', `/config/${subjectPath(subject)}`, { compatibility: mode });
    },

    /**
     * GET /config/{subject}: the subject's mode, or undefined when the registry has none for it.
     * Confluent answers 40408 for a subject without its own mode; Apicurio answers 40401 for a
     * subject without versions and its global mode for one without its own.
     */
    async compatibility(subject: string): Promise<CompatibilityMode | undefined> {
      return modeOf(await unlessNotFound(request<RegistryConfig>('GET', `/config/${subjectPath(subject)}`)));
    },

    /**
     * POST /compatibility/subjects/{subject}/versions/latest?verbose=true: may `schema` follow
     * the latest version under the subject's mode? Call it only for a subject that has versions:
     * for one without, Confluent answers 404 and Apicurio "compatible", neither of which helps.
     * An invalid schema (422) is reported as incompatible with the registry's message.
     */
    async checkCompatibility(subject: string, schema: string): Promise<CompatibilityVerdict> {
      try {
        const verdict = await request<{ is_compatible?: boolean; messages?: unknown }>(
          'POST',
          `/compatibility/subjects/${subjectPath(subject)}/versions/latest?verbose=true`,
          { schema },
        );
        const messages = Array.isArray(verdict.messages) ? verdict.messages.map(String) : [];
        return { compatible: verdict.is_compatible === true, messages };
      } catch (error) {
        if (error instanceof RegistryHttpError && error.status === 422) return { compatible: false, messages: [error.message] };
        throw error;
      }
    },
  };
}

/** A client made by createRegistryClient. */
export type RegistryClient = ReturnType<typeof createRegistryClient>;

/** True for the registry's own "not found" answers (404 with a 404xx error code). */
export function isRegistryNotFound(error: unknown): boolean {
  return error instanceof RegistryHttpError && error.status === 404 && error.errorCode !== undefined && Math.floor(error.errorCode / 100) === 404;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** "connect ECONNREFUSED 127.0.0.1:1" rather than undici's bare "fetch failed". */
function networkDetail(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer within the timeout';
  const cause = (error as { cause?: { message?: unknown; code?: unknown } } | null)?.cause;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
