import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
// The library throws these but does not re-export them from its index (3.9.0).
import { ConfluentSchemaRegistryCompatibilityError, ConfluentSchemaRegistryValidationError } from '@kafkajs/confluent-schema-registry/dist/errors';
import type { Type } from 'avsc';
import { AppError } from '../../errors';
import { EVENT_SCHEMAS, type EventName } from '../../generated';
import { isCompatibilityMode } from './compatibility';
import { eventNamesOf, streamEventTypeOf, type DecodedStreamEvent, type EventStream, type StreamEvent, type StreamEventName } from './event-streams';
import { collectFieldErrors } from './field-errors';
import { AVRO_OPTIONS, avroType } from './logical-types';
import { createRegistryClient, RegistryHttpError, REGISTRY_ERROR_CODES, type RegistryClient } from './registry-client';
import { poisonMessage, registryStatusOf, registryUnavailable } from './registry-errors';
import { subjectFor } from './subject';
import { parseWireHeader } from './wire-format';

export interface EventSerdeOptions<Stream extends EventStream> {
  /** Base URL of the Confluent-compatible registry API (config SCHEMA_REGISTRY_URL). */
  registryUrl: string;
  /** The stream's topic; subjects are `<topic>-<record full name>`. */
  topic: string;
  /** Which events: those of the stream's namespace (see EVENT_STREAMS). */
  stream: Stream;
}

export type OrderEventSerdeOptions = Omit<EventSerdeOptions<'order'>, 'stream'>;

/** Encodes and decodes the events of one stream in Confluent wire format against the schema registry. */
export interface EventSerde<Stream extends EventStream> {
  /**
   * Registers the current version of every event schema under its subject (idempotent: an
   * already registered schema keeps its id). Call it at start-up; encode calls it when it has
   * not succeeded yet. Concurrent calls share one attempt; a failed attempt is retried next time.
   * Rejects with DEPENDENCY_UNAVAILABLE when the registry cannot be reached, and INTERNAL when it
   * refuses a schema (incompatible, or the subject's mode differs from schemas/compatibility.json).
   */
  registerSchemas(): Promise<void>;
  /**
   * The Avro record in Confluent wire format, written with the current schema. Rejects with
   * VALIDATION_FAILED (field errors with paths such as `order.items.0.price`) when the event
   * does not fit the schema, e.g. a price with three decimals or a number instead of a Decimal.
   */
  encode(event: StreamEvent<Stream>): Promise<Buffer>;
  /**
   * Decodes a record written with any registered version into the current shape. Rejects with
   * POISON_MESSAGE (`details.reason` one of POISON_REASONS) when the bytes can never be decoded
   * (a record of another stream among them), and DEPENDENCY_UNAVAILABLE (retriable) when the
   * registry cannot answer now.
   */
  decode(buffer: Buffer): Promise<DecodedStreamEvent<Stream>>;
}

export type OrderEventSerde = EventSerde<'order'>;
export type InventoryEventSerde = EventSerde<'inventory'>;

interface Writer {
  subject: string;
  /** Exactly the JSON the register script sends, so both find the same registered version. */
  schemaText: string;
  version: number;
  compatibility: COMPATIBILITY;
  type: Type;
}

interface Reader {
  type: string;
  read(payload: Buffer): unknown;
}

/** How long library calls retry a 5xx before the caller sees DEPENDENCY_UNAVAILABLE. */
const LIBRARY_RETRY = { retries: 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 };

/**
 * A stream's serde: registration and encoding through @kafkajs/confluent-schema-registry
 * with Orderflow's logical types (decimal -> Decimal, timestamp-millis -> Date, uuid) wired in;
 * decoding through a cache of writer-to-current resolvers, one per schema id.
 *
 * Decoding does not go through the library (3.9.0), for two gaps:
 *  - its errors drop the registry's error code: an unknown schema id (40403, poison for good)
 *    and a wrong SCHEMA_REGISTRY_URL (a bare 404, retriable) look alike, and a refused connection
 *    arrives as "status 400", so the consumer could not tell poison from an outage;
 *  - `decode(buffer, { [AVRO]: { readerSchema } })` parses the reader schema and builds its
 *    resolver anew for every record, several times the cost of the read itself.
 * So the writer schema is fetched by `registry-client` and its resolver cached per id here.
 */
export function createEventSerde<Stream extends EventStream>({ registryUrl, topic, stream }: EventSerdeOptions<Stream>): EventSerde<Stream> {
  type Name = StreamEventName<Stream>;
  const names = eventNamesOf(stream);
  const library = new SchemaRegistry({ host: registryUrl, retry: LIBRARY_RETRY }, { [SchemaType.AVRO]: { ...AVRO_OPTIONS } });
  const client = createRegistryClient({ baseUrl: registryUrl });
  const writers = new Map<string, Writer>(names.map((name) => [name, writerFor(topic, name as EventName)]));
  let registration: Promise<Map<string, number>> | undefined;
  // Single-flight: one registry request and one resolver per schema id, however many records
  // of a new version arrive together. Failures are not cached, so an outage heals by itself.
  const readers = new Map<number, Promise<Reader>>();

  async function register(): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    for (const [name, writer] of writers) {
      try {
        const { id } = await library.register({ type: SchemaType.AVRO, schema: writer.schemaText }, { subject: writer.subject, compatibility: writer.compatibility });
        ids.set(name, id);
      } catch (error) {
        throw registrationError(error, name, writer, registryUrl);
      }
    }
    return ids;
  }

  function ensureRegistered(): Promise<Map<string, number>> {
    registration ??= register().catch((error: unknown) => {
      registration = undefined;
      throw error;
    });
    return registration;
  }

  function readerFor(schemaId: number): Promise<Reader> {
    let reader = readers.get(schemaId);
    if (!reader) {
      reader = resolveReader(client, schemaId, stream, writers).catch((error: unknown) => {
        readers.delete(schemaId);
        throw error;
      });
      readers.set(schemaId, reader);
    }
    return reader;
  }

  return {
    async registerSchemas() {
      await ensureRegistered();
    },

    async encode(event) {
      const writer = writers.get(event.type);
      if (!writer) throw new AppError('INTERNAL', `unknown event type '${String(event.type)}'; expected one of ${names.join(', ')}`);
      const id = (await ensureRegistered()).get(event.type);
      if (id === undefined) throw new AppError('INTERNAL', `no schema id for ${event.type} after registration`);
      try {
        // The library caches the id's schema at registration, so this makes no request.
        return await library.encode(id, event.event);
      } catch (error) {
        if (!(error instanceof ConfluentSchemaRegistryValidationError)) throw registryUnavailable(registryUrl, error);
        const fieldErrors = collectFieldErrors(writer.type, event.event);
        const summary = fieldErrors.map(({ field, message }) => `${field}: ${message}`).join('; ') || error.message;
        throw new AppError('VALIDATION_FAILED', `${event.type} does not fit its Avro schema v${writer.version}: ${summary}`, { fieldErrors, cause: error });
      }
    },

    async decode(buffer) {
      const { schemaId, payload } = parseWireHeader(buffer);
      const reader = await readerFor(schemaId);
      let event: unknown;
      try {
        event = reader.read(payload);
      } catch (error) {
        throw poisonMessage('UNDECODABLE', `the Avro body does not decode with schema id ${schemaId} (${reader.type}): ${(error as Error).message}`, error);
      }
      return { type: reader.type as Name, event, schemaId } as DecodedStreamEvent<Stream>;
    },
  };
}

function writerFor(topic: string, name: EventName): Writer {
  const { fullName, version, compatibility, schema } = EVENT_SCHEMAS[name];
  if (!isCompatibilityMode(compatibility)) throw new Error(`src/generated gives ${name} the unknown compatibility mode '${compatibility}'`);
  return {
    subject: subjectFor(topic, fullName),
    schemaText: JSON.stringify(schema),
    version,
    compatibility: COMPATIBILITY[compatibility],
    type: avroType(schema),
  };
}

/**
 * Fetches the writer schema of `schemaId` and builds the resolver from it into the current
 * schema of its event type. Only answers that can never change become POISON_MESSAGE.
 */
async function resolveReader(client: RegistryClient, schemaId: number, stream: EventStream, writers: ReadonlyMap<string, Writer>): Promise<Reader> {
  let found: { schema: string; schemaType?: string };
  try {
    found = await client.schemaById(schemaId);
  } catch (error) {
    // Only the registry's own 40403 means "no such schema": a bare 404 is more likely a wrong
    // SCHEMA_REGISTRY_URL, and dead-lettering every message for it would be the worse mistake.
    if (error instanceof RegistryHttpError && error.status === 404 && error.errorCode === REGISTRY_ERROR_CODES.SCHEMA_NOT_FOUND) {
      throw poisonMessage('UNKNOWN_SCHEMA_ID', `schema id ${schemaId} is not in the schema registry`, error);
    }
    throw error instanceof AppError ? error : registryUnavailable(client.baseUrl, error);
  }
  if (found.schemaType !== undefined && found.schemaType !== 'AVRO') {
    throw poisonMessage('NOT_CONFLUENT_AVRO', `schema id ${schemaId} is a ${found.schemaType} schema, not Avro`);
  }
  let writerType: Type;
  try {
    writerType = avroType(JSON.parse(found.schema) as object);
  } catch (error) {
    throw poisonMessage('UNDECODABLE', `schema id ${schemaId} is not an Avro schema this service can parse: ${(error as Error).message}`, error);
  }
  const type = streamEventTypeOf(stream, writerType.name);
  const writer = type === undefined ? undefined : writers.get(type);
  if (type === undefined || !writer) throw poisonMessage('UNKNOWN_EVENT_TYPE', `schema id ${schemaId} is record ${writerType.name ?? '(unnamed)'}, not an event of the ${stream} topic`);
  const readerType = writer.type;
  try {
    // Always a resolver, even for an "equal" writer: avsc's equality ignores logical-type
    // attributes, so a decimal of another scale would otherwise be read at ours.
    const resolver = readerType.createResolver(writerType);
    return { type, read: (payload) => readerType.fromBuffer(payload, resolver) as unknown };
  } catch (error) {
    throw poisonMessage('INCOMPATIBLE_SCHEMA', `records written with schema id ${schemaId} cannot be read as the current ${type}: ${(error as Error).message}`, error);
  }
}

function registrationError(error: unknown, name: string, writer: Writer, registryUrl: string): AppError {
  const where = `${name} v${writer.version} under subject ${writer.subject}`;
  if (error instanceof ConfluentSchemaRegistryCompatibilityError) {
    return new AppError('INTERNAL', `cannot register ${where}: the subject's mode in the registry is not ${writer.compatibility} as schemas/compatibility.json says (${error.message}); run npm run schemas:register`, { cause: error });
  }
  const status = registryStatusOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (status === 409) return new AppError('INTERNAL', `the registry refuses ${where} as incompatible: ${detail}; npm run schemas:register explains why`, { cause: error });
  if (status === 422) return new AppError('INTERNAL', `the registry refuses ${where} as invalid: ${detail}`, { cause: error });
  return registryUnavailable(registryUrl, error);
}

/** The order events' serde (topic ORDER_EVENTS_TOPIC). */
export function createOrderEventSerde(options: OrderEventSerdeOptions): OrderEventSerde {
  return createEventSerde({ ...options, stream: 'order' });
}

/** The inventory events' serde (topic INVENTORY_EVENTS_TOPIC). */
export function createInventoryEventSerde(options: Omit<EventSerdeOptions<'inventory'>, 'stream'>): InventoryEventSerde {
  return createEventSerde({ ...options, stream: 'inventory' });
}
