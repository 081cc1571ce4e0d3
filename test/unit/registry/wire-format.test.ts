import { expect } from 'chai';
import { AppError } from '../../../src/errors';
import { frameWireRecord, parseWireHeader } from '../../../src/lib/registry/wire-format';

function poisonOf(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a POISON_MESSAGE error');
}

describe('Confluent wire header', () => {
  it('reads magic byte 0, a big-endian schema id and the body', () => {
    const { schemaId, payload } = parseWireHeader(Buffer.from('00000001020a0b', 'hex'));
    expect(schemaId).to.equal(258);
    expect(payload.toString('hex')).to.equal('0a0b');
  });

  it('reads the largest id (0x7fffffff)', () => {
    expect(parseWireHeader(Buffer.from('007fffffff00', 'hex')).schemaId).to.equal(2147483647);
  });

  it('accepts an empty body (the decoder then decides)', () => {
    expect(parseWireHeader(Buffer.from('0000000007', 'hex')).payload.length).to.equal(0);
  });

  it('frames a body as magic byte, id and body: the inverse of parsing', () => {
    const framed = frameWireRecord(258, Buffer.from('0a0b', 'hex'));
    expect(framed.toString('hex')).to.equal('00000001020a0b');
  });

  it('calls a record shorter than the header poison: NOT_CONFLUENT_AVRO', () => {
    for (const hex of ['', '00', '00000001']) {
      const error = poisonOf(() => parseWireHeader(Buffer.from(hex, 'hex')));
      expect(error.code).to.equal('POISON_MESSAGE');
      expect(error.retriable).to.equal(false);
      expect(error.details.reason).to.equal('NOT_CONFLUENT_AVRO');
      expect(error.message).to.contain(`message of ${hex.length / 2} bytes is too short`);
    }
  });

  it('calls a wrong magic byte poison, naming the byte (here: JSON text)', () => {
    const error = poisonOf(() => parseWireHeader(Buffer.from('{"orderId":"ORDER-1"}')));
    expect(error.details.reason).to.equal('NOT_CONFLUENT_AVRO');
    expect(error.message).to.contain('starts with byte 0x7b, not the Confluent magic byte 0x00');
  });

  it('calls a zero or negative schema id poison', () => {
    expect(poisonOf(() => parseWireHeader(Buffer.from('000000000001', 'hex'))).message).to.contain('schema id 0');
    expect(poisonOf(() => parseWireHeader(Buffer.from('00ffffffff01', 'hex'))).message).to.contain('schema id -1');
  });
});
