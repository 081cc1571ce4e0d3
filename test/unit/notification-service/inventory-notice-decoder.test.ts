import { expect } from 'chai';
import type { KafkaMessage } from 'kafkajs';
import { AppError } from '../../../src/errors';
import { createMetrics } from '../../../src/lib/metrics';
import type { DecodedInventoryEvent } from '../../../src/lib/registry';
import { createInventoryNoticeDecoder } from '../../../src/notification-service';

const TOPIC = 'inventory-events';
const message = (offset: string, value: Buffer | null = Buffer.from([0, 0, 0, 0, 1])): KafkaMessage =>
  ({ key: Buffer.from('ORDER-1'), value, offset, timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

const reserved = (eventId: string, orderId = 'ORDER-1'): DecodedInventoryEvent => ({
  type: 'InventoryReserved',
  schemaId: 3,
  event: { eventId, occurredAt: new Date('2026-11-01T10:00:00Z'), orderId, causationEventId: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a', items: [{ itemId: 'A', quantity: 1 }] },
});

/** A serde stand-in answering each record by its offset: what the registry serde's decode would resolve or reject with. */
function decoderOf(answers: Record<string, DecodedInventoryEvent | Error>) {
  return {
    async decode(buffer: Buffer): Promise<DecodedInventoryEvent> {
      const answer = answers[buffer.toString('latin1')];
      if (answer instanceof Error) throw answer;
      if (!answer) throw new Error('unexpected record');
      return answer;
    },
  };
}
const valueOf = (key: string) => Buffer.from(key, 'latin1');

describe('inventory record decoder', () => {
  const metrics = createMetrics('notification-service');

  it('passes checked events on with where they were read, and sorts poison out with its reason', async () => {
    const decodeRecords = createInventoryNoticeDecoder({
      topic: TOPIC,
      metrics,
      decoder: decoderOf({
        good: reserved('6f1c2b1e-8d1a-4c7e-9a55-0b8f2d1e4c3a'),
        unknown: new AppError('POISON_MESSAGE', 'schema id 99 is not in the schema registry', { reason: 'UNKNOWN_SCHEMA_ID' }),
        'bad-id': reserved('not-a-uuid'),
        'blank-order': reserved('7f1c2b1e-8d1a-4c7e-9a55-0b8f2d1e4c3a', '  '),
      }),
    });
    const { valid, poison } = await decodeRecords(2, [
      message('10', valueOf('good')),
      message('11', valueOf('unknown')),
      message('12', valueOf('bad-id')),
      message('13', valueOf('blank-order')),
      message('14', null),
    ]);
    expect(valid.map((event) => ({ type: event.type, position: event.position }))).to.deep.equal([{ type: 'InventoryReserved', position: { topic: TOPIC, partition: 2, offset: '10' } }]);
    expect(poison.map((record) => [record.message.offset, record.errorCode])).to.deep.equal([
      ['11', 'UNKNOWN_SCHEMA_ID'],
      ['12', 'BUSINESS_INVALID'],
      ['13', 'BUSINESS_INVALID'],
      ['14', 'NOT_CONFLUENT_AVRO'],
    ]);
    expect(poison[1]?.errorMessage).to.equal("eventId must be a UUID, got 'not-a-uuid'");
    expect(poison[1]).to.include({ eventType: 'InventoryReserved', eventId: 'not-a-uuid', schemaId: 3 });
  });

  it('throws, retriable, when the registry cannot answer now: the batch is retried, nothing dead-lettered', async () => {
    const decodeRecords = createInventoryNoticeDecoder({
      topic: TOPIC,
      metrics,
      decoder: decoderOf({ down: new AppError('DEPENDENCY_UNAVAILABLE', 'schema registry at http://127.0.0.1:1 is unavailable') }),
    });
    let failure: unknown;
    try {
      await decodeRecords(0, [message('1', valueOf('down'))]);
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(AppError).and.to.include({ retriable: true });
    expect(await metrics.registry.getSingleMetricAsString('orderflow_schema_registry_errors_total')).to.match(/operation="decode"[^\n]* 1$/m);
  });
});
