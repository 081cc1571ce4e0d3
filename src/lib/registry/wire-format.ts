import { poisonMessage } from './registry-errors';

/** First byte of every Confluent-framed record. */
export const MAGIC_BYTE = 0;

/** Magic byte plus the 4-byte schema id. */
export const WIRE_HEADER_LENGTH = 5;

/** The Confluent framing of one record: which schema wrote it, and the Avro body. */
export interface WireHeader {
  schemaId: number;
  /** The Avro body (a view on the input buffer, not a copy). */
  payload: Buffer;
}

/**
 * Splits a Confluent wire-format record (magic byte 0, big-endian int32 schema id, Avro body).
 * Throws POISON_MESSAGE with reason NOT_CONFLUENT_AVRO when the buffer cannot be one: too
 * short, wrong magic byte, or a schema id no registry hands out (ids are positive).
 */
export function parseWireHeader(buffer: Buffer): WireHeader {
  if (!Buffer.isBuffer(buffer) || buffer.length < WIRE_HEADER_LENGTH) {
    const length = Buffer.isBuffer(buffer) ? buffer.length : 0;
    throw poisonMessage('NOT_CONFLUENT_AVRO', `message of ${length} bytes is too short for the Confluent wire format (at least ${WIRE_HEADER_LENGTH})`);
  }
  const magicByte = buffer.readUInt8(0);
  if (magicByte !== MAGIC_BYTE) {
    throw poisonMessage('NOT_CONFLUENT_AVRO', `message starts with byte 0x${magicByte.toString(16).padStart(2, '0')}, not the Confluent magic byte 0x00`);
  }
  const schemaId = buffer.readInt32BE(1);
  if (schemaId <= 0) throw poisonMessage('NOT_CONFLUENT_AVRO', `message names schema id ${schemaId}; registry ids are positive`);
  return { schemaId, payload: buffer.subarray(WIRE_HEADER_LENGTH) };
}

/** Frames an Avro body in the Confluent wire format. */
export function frameWireRecord(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(WIRE_HEADER_LENGTH);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}
