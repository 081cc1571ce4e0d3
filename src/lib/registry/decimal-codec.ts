import Decimal from 'decimal.js';

/** Precision (total digits) and scale (digits after the point) of an Avro `decimal`. */
export interface DecimalSpec {
  precision: number;
  scale: number;
}

/**
 * Encodes an exact decimal as Avro's `decimal` bytes: the unscaled value (value x 10^scale)
 * as a minimal big-endian two's-complement integer — the same bytes Java's
 * `BigInteger.toByteArray()` gives, so Java consumers read what we write.
 *
 * Throws a RangeError naming the value when it has more decimal places than `scale` (we never
 * round money) or more digits than `precision`, and a TypeError when it is not a finite
 * decimal.js Decimal (a binary float would already have lost the exact value).
 */
export function decimalToBytes(value: unknown, spec: DecimalSpec): Buffer {
  return bigIntToTwosComplement(toUnscaled(value, spec));
}

/** Decodes Avro `decimal` bytes (big-endian two's-complement unscaled value) at `scale`. */
export function bytesToDecimal(bytes: Uint8Array, scale: number): Decimal {
  return unscaledToDecimal(twosComplementToBigInt(bytes), scale);
}

/** Why `value` cannot be written as decimal(precision, scale), or undefined when it can. */
export function explainInvalidDecimal(value: unknown, spec: DecimalSpec): string | undefined {
  try {
    toUnscaled(value, spec);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function toUnscaled(value: unknown, { precision, scale }: DecimalSpec): bigint {
  // isDecimal also accepts a Decimal from another copy of decimal.js (it checks a tag, not the class).
  if (!Decimal.isDecimal(value)) {
    throw new TypeError(`expected a decimal.js Decimal for decimal(${precision},${scale}), got ${describe(value)}`);
  }
  if (!value.isFinite()) throw new RangeError(`${value.toString()} is not a finite decimal`);
  if (value.decimalPlaces() > scale) {
    throw new RangeError(`${value.toString()} has ${value.decimalPlaces()} decimal places; decimal(${precision},${scale}) allows at most ${scale}`);
  }
  // toFixed never rounds here (the value has at most `scale` places) and, unlike arithmetic,
  // does not depend on Decimal.precision, so even a value with 30 digits stays exact.
  const unscaled = BigInt(value.toFixed(scale).replace('.', ''));
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length;
  if (unscaled !== 0n && digits > precision) {
    throw new RangeError(`${value.toFixed(scale)} has ${digits} digits; decimal(${precision},${scale}) allows at most ${precision}`);
  }
  return unscaled;
}

function unscaledToDecimal(unscaled: bigint, scale: number): Decimal {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  // The string constructor is exact whatever Decimal.precision says.
  return new Decimal(negative ? `-${text}` : text);
}

/** Minimal two's-complement big-endian bytes of `n`: 0 -> 00, 127 -> 7F, 128 -> 00 80, -128 -> 80. */
export function bigIntToTwosComplement(n: bigint): Buffer {
  // Smallest byte count whose signed range holds n: [-2^(8k-1), 2^(8k-1) - 1].
  let length = 1;
  while (n < -(1n << BigInt(8 * length - 1)) || n > (1n << BigInt(8 * length - 1)) - 1n) length += 1;
  let rest = BigInt.asUintN(8 * length, n);
  const bytes = Buffer.alloc(length);
  for (let index = length - 1; index >= 0; index -= 1) {
    bytes[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

/** Reads big-endian two's-complement bytes; refuses the empty array, as Java's BigInteger does. */
export function twosComplementToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) throw new RangeError('a decimal needs at least one byte');
  let unsigned = 0n;
  for (const byte of bytes) unsigned = (unsigned << 8n) | BigInt(byte);
  return BigInt.asIntN(8 * bytes.length, unsigned);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `string '${value}'`;
  if (typeof value === 'number' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  return value === null ? 'null' : typeof value;
}
