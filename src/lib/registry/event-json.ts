import avro, { type Type } from 'avsc';
import { Decimal } from 'decimal.js';
import { EVENT_SCHEMAS, type EventName } from '../../generated';
import { avroType, DecimalType, TimestampMillisType } from './logical-types';

/** The current reader type of each event type: decoded events have its shape, whatever wrote them. */
const readerTypes = new Map<EventName, Type>();

function readerType(type: EventName): Type {
  let found = readerTypes.get(type);
  if (!found) {
    found = avroType(EVENT_SCHEMAS[type].schema);
    readerTypes.set(type, found);
  }
  return found;
}

/**
 * A decoded Avro value as plain JSON, walking its type: decimals -> their exact string at the
 * schema's scale ("20.50", never 20.5), timestamp-millis -> ISO strings.
 */
function toJson(type: Type, value: unknown): unknown {
  if (type instanceof DecimalType) return Decimal.isDecimal(value) ? value.toFixed(type.scale) : plainJson(value);
  if (type instanceof TimestampMillisType) return value instanceof Date ? value.toISOString() : plainJson(value);
  if (type instanceof avro.types.RecordType && isObject(value)) {
    return Object.fromEntries(type.fields.map((field) => [field.name, toJson(field.type, value[field.name])]));
  }
  if (type instanceof avro.types.ArrayType && Array.isArray(value)) return value.map((item) => toJson(type.itemsType, item));
  if (type instanceof avro.types.MapType && isObject(value)) {
    const valuesType = type.valuesType as Type;
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, toJson(valuesType, inner)]));
  }
  if (type instanceof avro.types.UnwrappedUnionType) {
    const branch = type.types.find((candidate) => candidate.isValid(value));
    return branch ? toJson(branch, value) : plainJson(value);
  }
  return plainJson(value);
}

/** Fallback without a type: still exact (a Decimal prints all its digits), never a float. */
function plainJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Decimal.isDecimal(value)) return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(plainJson);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, plainJson(inner)]));
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/** A decoded event as plain JSON, shaped by the current schema of its type (see {@link toJson}). */
export function eventJson(decoded: { type: EventName; event: unknown }): unknown {
  return toJson(readerType(decoded.type), decoded.event);
}
