import avro, { type Schema, type Type } from 'avsc';
import type Decimal from 'decimal.js';
import { bytesToDecimal, decimalToBytes, explainInvalidDecimal, type DecimalSpec } from './decimal-codec';

/*
 * avsc's LogicalType hands its hooks untyped values (its typings say `any`); each hook below
 * narrows with `unknown` and checks, so no `any` leaks out of this file.
 */

/** A logical type that can say in words why a value does not fit it (used for field errors). */
export interface ExplainingType {
  explain(value: unknown): string | undefined;
}

/** True for the logical types below, which can explain a rejected value. */
export function isExplainingType(type: unknown): type is ExplainingType {
  return typeof (type as Partial<ExplainingType> | null)?.explain === 'function';
}

/** Avro `decimal` on `bytes` <-> decimal.js `Decimal`, exact; precision and scale enforced on write. */
export class DecimalType extends avro.types.LogicalType implements ExplainingType {
  readonly precision: number;
  readonly scale: number;

  constructor(schema: Schema, opts?: unknown) {
    super(schema, opts);
    const { precision, scale = 0 } = schema as { precision?: unknown; scale?: unknown };
    if (!Number.isInteger(precision) || (precision as number) < 1) throw new Error(`invalid decimal precision: ${String(precision)}`);
    if (!Number.isInteger(scale) || (scale as number) < 0 || (scale as number) > (precision as number)) {
      throw new Error(`invalid decimal scale: ${String(scale)}`);
    }
    if (!avro.Type.isType(this.underlyingType, 'bytes')) {
      // `fixed` decimals would need sign extension to the fixed size; none of our schemas use them.
      throw new Error('decimal is supported on bytes only');
    }
    this.precision = precision as number;
    this.scale = scale as number;
  }

  private get spec(): DecimalSpec {
    return { precision: this.precision, scale: this.scale };
  }

  explain(value: unknown): string | undefined {
    return explainInvalidDecimal(value, this.spec);
  }

  protected override _fromValue(bytes: Buffer): Decimal {
    return bytesToDecimal(bytes, this.scale);
  }

  protected override _toValue(value: unknown): Buffer {
    return decimalToBytes(value, this.spec);
  }

  protected override _resolve(writer: Type): ((value: Decimal) => Decimal) | undefined {
    // Same scale: the unscaled integers mean the same amounts (a wider precision only widens
    // the range). A different scale would silently rescale money, so avsc reports it instead.
    if (writer instanceof DecimalType && writer.scale === this.scale) return (value) => value;
    return undefined;
  }

  protected override _export(schema: Schema): void {
    // avsc passes the object schema it is exporting; precision and scale belong on it.
    const attrs = schema as Record<string, unknown>;
    attrs.precision = this.precision;
    attrs.scale = this.scale;
  }
}

/** Avro `timestamp-millis` on `long` <-> JavaScript `Date`. */
export class TimestampMillisType extends avro.types.LogicalType implements ExplainingType {
  explain(value: unknown): string | undefined {
    if (!(value instanceof Date)) return `expected a Date, got ${value === null ? 'null' : typeof value}`;
    if (Number.isNaN(value.getTime())) return 'expected a valid Date, got an Invalid Date';
    return undefined;
  }

  protected override _fromValue(millis: number): Date {
    return new Date(millis);
  }

  protected override _toValue(value: unknown): number {
    const problem = this.explain(value);
    if (problem !== undefined) throw new TypeError(problem);
    return (value as Date).getTime();
  }

  protected override _resolve(writer: Type): ((value: Date | number) => Date) | undefined {
    if (writer instanceof TimestampMillisType) return (value) => value as Date;
    // A plain long written before the logical type was added holds the same milliseconds.
    if (avro.Type.isType(writer, 'long')) return (value) => new Date(value);
    return undefined;
  }
}

/** A UUID in its text form, any case. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Avro `uuid` on `string`: stays a string, but encode refuses anything that is not a UUID. */
export class UuidType extends avro.types.LogicalType implements ExplainingType {
  explain(value: unknown): string | undefined {
    return typeof value === 'string' && UUID.test(value) ? undefined : `expected a UUID string, got ${JSON.stringify(value) ?? typeof value}`;
  }

  protected override _fromValue(value: string): string {
    return value;
  }

  protected override _toValue(value: unknown): string {
    const problem = this.explain(value);
    if (problem !== undefined) throw new TypeError(problem);
    return value as string;
  }

  protected override _resolve(writer: Type): ((value: string) => string) | undefined {
    if (writer instanceof UuidType || avro.Type.isType(writer, 'string')) return (value) => value;
    return undefined;
  }
}

/** The logical types every Orderflow Avro type is built with, as avsc's `logicalTypes` option. */
export const LOGICAL_TYPES = {
  decimal: DecimalType,
  'timestamp-millis': TimestampMillisType,
  uuid: UuidType,
} as const;

/**
 * avsc options for every type built from our schemas. `wrapUnions: false` keeps a nullable
 * field a plain `T | null` (the generated types promise that shape).
 *
 * Frozen because `Type.forSchema` stores its name registry on the options object it is given:
 * a shared, mutated object would make the second schema that defines `OrderStatus` fail with
 * "duplicate type name". Pass a copy (`{ ...AVRO_OPTIONS }`), as avroType does.
 */
export const AVRO_OPTIONS = Object.freeze({
  logicalTypes: LOGICAL_TYPES,
  wrapUnions: false,
});

/**
 * Builds an avsc Type from a schema (parsed JSON, or a type name) with Orderflow's logical
 * types wired in. Takes any object because avsc checks the schema itself, with better messages
 * than a compile-time shape could give for JSON read from a file or a registry.
 */
export function avroType(schema: object | string): Type {
  return avro.Type.forSchema(schema as Schema, { ...AVRO_OPTIONS });
}
