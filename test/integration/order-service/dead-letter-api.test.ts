import { expect } from 'chai';
import type { Config } from '../../../src/config';
import { AppError } from '../../../src/errors';
import { createKafkaClient } from '../../../src/lib/kafka';
import { startOrderService, type RunningOrderService, ORDER_DATABASE } from '../../../src/order-service';
import { createDeadLetterReplayer, REPLAY_OF_HEADER } from '../../../src/order-service/dead-letter-replay';
import { createDeadLetterStore } from '../../../src/order-service/dead-letter-store';
import { OPENAPI_DOCUMENT } from '../../../src/order-service/openapi';
import { createLogger } from '../../../src/logger';
import { createOpenApiChecker, withoutKeyAnswers } from '../../helpers/openapi-contract';
import { createTestDatabase, testConfig, type TestDatabase } from '../../helpers/test-env';
import { waitFor } from '../../helpers/wait-for';
import { FAST, createEventProducer, orderCreated, orderStatus, refuseOrderByRule } from './order-service-fixtures';

type Producer = Awaited<ReturnType<typeof createEventProducer>>;

interface DeadLetterView {
  recordId: string;
  deadLetteredAt: string;
  deadLetter: { topic: string; partition: number; offset: string };
  source: { topic: string; partition: number; offset: string } | null;
  errorCode: string | null;
  errorMessage: string | null;
  eventType: string | null;
  eventId: string | null;
  key: string | null;
  headers: Record<string, string | string[]>;
  value: { bytes: number; decoded: { type: string; schemaId: number; event: { eventId: string; order?: { orderId: string; totalAmount: string } } } | null; decodeError: string | null; base64?: string | null };
  replay: { replayedBy: string; startedAt: string; replayedAt: string | null; partition: number | null; offset: string | null } | null;
}

interface Answer<Data> {
  status: number;
  body: { success: boolean; message: string; code?: string; data: Data };
}

describe('order service: the dead-letter API (list, inspect, replay once)', function () {
  this.timeout(120_000);
  let config: Config;
  let db: TestDatabase;
  let producer: Producer;
  let service: RunningOrderService;
  let base: string;
  const contract = createOpenApiChecker(OPENAPI_DOCUMENT);

  async function call<Data>(method: 'get' | 'post', path: string, body?: unknown): Promise<Answer<Data>> {
    const response = await fetch(`${base}${path}`, {
      method: method.toUpperCase(),
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const answer = { status: response.status, body: (await response.json()) as Answer<Data>['body'], headers: response.headers };
    contract.expectMatchesOpenApi(method, path, answer);
    return answer;
  }

  const list = (query = '') => call<{ total: number; page: number; pageSize: number; deadLetters: DeadLetterView[] }>('get', `/api/dlq${query}`);
  const inspect = (recordId: string) => call<DeadLetterView>('get', `/api/dlq/${encodeURIComponent(recordId)}`);
  const replay = (recordId: string, body?: unknown) => call<DeadLetterView>('post', `/api/dlq/${encodeURIComponent(recordId)}/replay`, body);

  async function deadLetterOf(key: string, after?: string): Promise<DeadLetterView> {
    return waitFor(
      async () => {
        const { body } = await list('?pageSize=100');
        return body.data.deadLetters.find((deadLetter) => deadLetter.key === key && deadLetter.recordId !== after);
      },
      { what: `a dead letter of ${key} in GET /api/dlq` },
    );
  }

  before(async () => {
    config = testConfig();
    db = await createTestDatabase(ORDER_DATABASE, config);
    producer = await createEventProducer(config);
    service = await startOrderService(config, { ...FAST, knex: db.knex });
    base = `http://127.0.0.1:${service.port}`;
  });

  after(async () => {
    await service?.stop();
    await producer?.close();
    await db?.destroy();
  });

  it('lists dead letters with their dlq-* headers, decoded where the registry can, newest first and paged', async () => {
    const invalid = orderCreated('DLQ-BAD-TOTAL');
    invalid.order.totalAmount = invalid.order.totalAmount.plus('0.01');
    await producer.sendRaw('DLQ-NOT-AVRO', Buffer.from('{"orderId":"DLQ-NOT-AVRO"}'));
    await producer.send([invalid]);

    const notAvro = await deadLetterOf('DLQ-NOT-AVRO');
    const business = await deadLetterOf('DLQ-BAD-TOTAL');
    expect(notAvro.errorCode).to.equal('NOT_CONFLUENT_AVRO');
    expect(notAvro.value.decoded).to.equal(null);
    expect(notAvro.value.decodeError).to.be.a('string').and.not.equal('');
    expect(notAvro.source?.topic).to.equal(config.ORDER_EVENTS_TOPIC);
    expect(notAvro.recordId).to.equal(`${notAvro.source!.topic}/${notAvro.source!.partition}/${notAvro.source!.offset}`);
    expect(notAvro.deadLetter.topic).to.equal(config.DEAD_LETTER_TOPIC);

    expect(business.errorCode).to.equal('BUSINESS_INVALID');
    expect(business.errorMessage).to.contain('totalAmount');
    expect(business.eventId).to.equal(invalid.eventId);
    expect(business.headers['dlq-record-id']).to.equal(business.recordId);
    expect(business.value.decoded?.type).to.equal('OrderCreated');
    expect(business.value.decoded?.event.order?.orderId).to.equal('DLQ-BAD-TOTAL');
    expect(business.value.decoded?.event.order?.totalAmount, 'money stays an exact string at its scale').to.equal(invalid.order.totalAmount.toFixed(2));
    expect((business.value.decoded?.event.order as { items?: Array<{ price: string }> } | undefined)?.items?.map((item) => item.price)).to.deep.equal(['5.00', '0.25']);
    expect(business.replay).to.equal(null);

    const all = await list();
    expect(all.status).to.equal(200);
    expect(all.body.data.total).to.equal(2);
    const first = await list('?pageSize=1&page=1');
    const second = await list('?pageSize=1&page=2');
    expect(first.body.data.deadLetters).to.have.length(1);
    expect(second.body.data.deadLetters).to.have.length(1);
    expect(first.body.data.deadLetters[0]!.recordId).to.not.equal(second.body.data.deadLetters[0]!.recordId);
    expect(first.body.data.deadLetters[0]!.deadLetteredAt >= second.body.data.deadLetters[0]!.deadLetteredAt, 'newest first').to.equal(true);
  });

  it('shows one dead letter with its exact bytes; 404 for an unknown id, 400 for a malformed one or bad paging', async () => {
    const notAvro = await deadLetterOf('DLQ-NOT-AVRO');
    const { status, body } = await inspect(notAvro.recordId);
    expect(status).to.equal(200);
    expect(Buffer.from(body.data.value.base64!, 'base64').toString()).to.equal('{"orderId":"DLQ-NOT-AVRO"}');

    expect((await inspect(`${config.ORDER_EVENTS_TOPIC}/0/999999`)).status).to.equal(404);
    const malformed = await inspect('not-an-id');
    expect(malformed.status).to.equal(400);
    expect(malformed.body.message).to.contain('recordId');
    expect((await list('?pageSize=0')).status).to.equal(400);
    expect((await list('?replayed=maybe')).status).to.equal(400);
  });

  it('replays a dead letter whose cause was fixed: applied once, recorded with who and when; a second replay is a 409', async () => {
    // A database rule refuses one order: its batch is split, the other order is applied, and the
    // refused one is dead-lettered as the record's own failure.
    const lift = await refuseOrderByRule(db.knex, 'DLQ-FIXED-LATER');
    const refused = orderCreated('DLQ-FIXED-LATER');
    // One key, one produce call: one batch, so the other order's commit is the evidence that the
    // failure is the record's own.
    await producer.sendUnderOneKey('DLQ-FIXED-LATER', [refused, orderCreated('DLQ-BESIDE-IT')]);
    const deadLetter = await deadLetterOf('DLQ-FIXED-LATER');
    expect(deadLetter.errorCode).to.equal('PROCESSING_FAILED');
    expect(deadLetter, 'named by its producer\'s event-id and event-type headers').to.include({ eventId: refused.eventId, eventType: 'OrderCreated' });
    expect(await orderStatus(db.knex, 'DLQ-BESIDE-IT')).to.equal('pending');
    expect(await orderStatus(db.knex, 'DLQ-FIXED-LATER')).to.equal(undefined);

    await lift();
    const replayed = await replay(deadLetter.recordId, { operator: 'alice' });
    expect(replayed.status).to.equal(200);
    expect(replayed.body.data.replay?.replayedBy).to.equal('alice');
    expect(Date.parse(replayed.body.data.replay!.replayedAt!)).to.be.closeTo(Date.now(), 60_000);
    expect(replayed.body.data.replay?.offset).to.match(/^\d+$/);
    await waitFor(async () => (await orderStatus(db.knex, 'DLQ-FIXED-LATER')) === 'pending', { what: 'the replayed order applied' });

    const again = await replay(deadLetter.recordId, { operator: 'bob' });
    expect(again.status).to.equal(409);
    expect(again.body.message).to.contain('alice');
    const applied = (await db.knex('order_events').where({ event_id: refused.eventId })) as Array<{ outcome: string; partition: number; offset: string }>;
    expect(applied.map((row) => row.outcome)).to.deep.equal(['applied']);
    expect(String(applied[0]!.offset)).to.equal(replayed.body.data.replay!.offset);
    expect((await list('?replayed=true')).body.data.deadLetters.map((one) => one.recordId)).to.deep.equal([deadLetter.recordId]);

    // The order's timeline tells the story: dead-lettered at its first offset, applied at the replay's.
    const timeline = await call<{ events: Array<{ outcome: string; offset: string; reason: string | null; eventId: string | null }> }>('get', '/api/orders/DLQ-FIXED-LATER/events');
    expect(timeline.body.data.events.map(({ outcome, offset }) => [outcome, offset])).to.deep.equal([
      ['dead-lettered', deadLetter.source!.offset],
      ['applied', replayed.body.data.replay!.offset],
    ]);
    expect(timeline.body.data.events[0]!.reason).to.contain('refused by a rule');
    expect(timeline.body.data.events.map((event) => event.eventId)).to.deep.equal([refused.eventId, refused.eventId]);
  });

  it('a replayed record the consumer still refuses becomes a new dead letter that names the one it replays', async () => {
    const business = await deadLetterOf('DLQ-BAD-TOTAL');
    const replayed = await replay(business.recordId, { operator: 'carol' });
    expect(replayed.status).to.equal(200);
    expect(replayed.body.data.replay?.replayedBy).to.equal('carol');
    const next = await deadLetterOf('DLQ-BAD-TOTAL', business.recordId);
    expect(next.headers[REPLAY_OF_HEADER]).to.equal(business.recordId);
    expect(next.eventId).to.equal(business.eventId);
    expect(next.replay).to.equal(null);
  });

  it('answers one of two simultaneous replays with 200 and the other with 409: the record goes back once', async () => {
    await producer.sendRaw('DLQ-RACE', Buffer.from('not avro either'));
    const deadLetter = await deadLetterOf('DLQ-RACE');
    const statuses = (await Promise.all([replay(deadLetter.recordId, { operator: 'alice' }), replay(deadLetter.recordId, { operator: 'bob' })])).map((answer) => answer.status).sort();
    expect(statuses).to.deep.equal([200, 409]);
  });

  it('indexes each dead letter once however often it was sent, and refuses to replay one from another topic, recording nothing', async () => {
    const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'dead-letter-api-test' });
    const foreign = kafka.producer();
    await foreign.connect();
    try {
      const copy = { key: 'DLQ-COPY', value: Buffer.from('x'), headers: { 'dlq-record-id': 'elsewhere/0/7', 'dlq-source-topic': 'elsewhere', 'dlq-source-partition': '0', 'dlq-source-offset': '7', 'dlq-error-code': 'NOT_CONFLUENT_AVRO' } };
      // The same dead letter twice (as after a crash before the offset commit), then one with no dlq-* headers at all.
      await foreign.send({ topic: config.DEAD_LETTER_TOPIC, messages: [copy, copy, { key: 'DLQ-BARE', value: Buffer.from('y') }] });
    } finally {
      await foreign.disconnect();
    }
    const bare = await deadLetterOf('DLQ-BARE');
    expect(bare.recordId).to.equal(`${bare.deadLetter.topic}/${bare.deadLetter.partition}/${bare.deadLetter.offset}`);
    expect(bare.source).to.equal(null);
    const copies = (await list('?pageSize=100')).body.data.deadLetters.filter((one) => one.key === 'DLQ-COPY');
    expect(copies.map((one) => one.recordId)).to.deep.equal(['elsewhere/0/7']);

    for (const recordId of ['elsewhere/0/7', bare.recordId]) {
      const refused = await replay(recordId, { operator: 'alice' });
      expect(refused.status, recordId).to.equal(409);
      expect(refused.body.message).to.contain(config.ORDER_EVENTS_TOPIC);
      expect((await inspect(recordId)).body.data.replay, recordId).to.equal(null);
    }
  });

  it('refuses a replay without a JSON body naming the operator, with an unknown field or a bad operator with 400, and an unknown dead letter with 404', async () => {
    const deadLetter = await deadLetterOf('DLQ-NOT-AVRO');
    const withoutBody = await replay(deadLetter.recordId);
    expect(withoutBody.status).to.equal(400);
    expect(withoutBody.body.message).to.contain('operator');
    expect((await replay(deadLetter.recordId, {})).status).to.equal(400);
    // A cross-site form can post text/plain only: refused before anything is replayed.
    const plainPath = `/api/dlq/${encodeURIComponent(deadLetter.recordId)}/replay`;
    const plain = await fetch(`${base}${plainPath}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'operator=mallory' });
    contract.expectMatchesOpenApi('post', plainPath, { status: plain.status, body: await plain.json(), headers: plain.headers });
    expect(plain.status).to.equal(415);
    const unknownField = await replay(deadLetter.recordId, { operator: 'alice', force: true });
    expect(unknownField.status).to.equal(400);
    const badOperator = await replay(deadLetter.recordId, { operator: '' });
    expect(badOperator.status).to.equal(400);
    expect(badOperator.body.message).to.contain('operator');
    expect((await replay(`${config.ORDER_EVENTS_TOPIC}/0/999999`, { operator: 'alice' })).status).to.equal(404);
    expect((await inspect(deadLetter.recordId)).body.data.replay).to.equal(null);
  });

  it('keeps a record\'s headers exactly (a NUL byte, a repeated name) and sends them back on replay', async () => {
    const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'dead-letter-headers-test' });
    const raw = kafka.producer();
    await raw.connect();
    try {
      await raw.send({ topic: config.ORDER_EVENTS_TOPIC, messages: [{ key: 'DLQ-HEADERS', value: Buffer.from('not avro'), headers: { trace: Buffer.from([0x61, 0x00, 0x62]), tag: ['x', 'y'] } }] });
    } finally {
      await raw.disconnect();
    }
    const deadLetter = await deadLetterOf('DLQ-HEADERS');
    expect(deadLetter.headers).to.include({ trace: 'a\u0000b' });
    expect(deadLetter.headers.tag).to.deep.equal(['x', 'y']);
    expect((await replay(deadLetter.recordId, { operator: 'alice' })).status).to.equal(200);
    // Still not Avro: refused again, and the new dead letter shows what the replay sent.
    const again = await deadLetterOf('DLQ-HEADERS', deadLetter.recordId);
    expect(again.headers).to.include({ trace: 'a\u0000b', [REPLAY_OF_HEADER]: deadLetter.recordId });
    expect(again.headers.tag).to.deep.equal(['x', 'y']);
  });

  it('answers 409 and gives the replay up when Kafka refuses the record itself (larger than the topic now accepts)', async () => {
    await producer.sendRaw('DLQ-TOO-LARGE', Buffer.alloc(4_000, 0x41));
    const deadLetter = await deadLetterOf('DLQ-TOO-LARGE');
    const kafka = createKafkaClient({ brokers: config.KAFKA_BROKERS, clientId: 'dead-letter-too-large-test' });
    const admin = kafka.admin();
    await admin.connect();
    const setLimit = (bytes: string) => admin.alterConfigs({ validateOnly: false, resources: [{ type: 2 /* TOPIC */, name: config.ORDER_EVENTS_TOPIC, configEntries: [{ name: 'max.message.bytes', value: bytes }] }] });
    try {
      await setLimit('1024');
      const refused = await replay(deadLetter.recordId, { operator: 'alice' });
      expect(refused.status).to.equal(409);
      expect(refused.body.message).to.contain('Kafka refuses the record');
      expect((await inspect(deadLetter.recordId)).body.data.replay, 'the claim is given up').to.equal(null);
    } finally {
      await setLimit('1048588');
      await admin.disconnect();
    }
    expect((await replay(deadLetter.recordId, { operator: 'alice' })).status, 'replayable once the topic takes it').to.equal(200);
  });

  it('when Kafka took the record but its position could not be recorded, answers 200 all the same and keeps the claim: no second replay', async () => {
    await producer.sendRaw('DLQ-UNRECORDED', Buffer.from('not avro, once more'));
    const deadLetter = await deadLetterOf('DLQ-UNRECORDED');
    // The database refuses to record this replay's position, as one that went away would.
    await db.knex.raw(`
      CREATE FUNCTION refuse_replay_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refusing to record the replay (test)'; END $$;
      CREATE TRIGGER refuse_replay_record BEFORE UPDATE ON dead_letters FOR EACH ROW
      WHEN (NEW.replayed_at IS NOT NULL AND NEW.record_id = '${deadLetter.recordId}') EXECUTE FUNCTION refuse_replay_record();
    `);
    try {
      const replayed = await replay(deadLetter.recordId, { operator: 'alice' });
      expect(replayed.status).to.equal(200);
      expect(replayed.body.data.replay?.offset).to.match(/^\d+$/);
    } finally {
      await db.knex.raw('DROP TRIGGER refuse_replay_record ON dead_letters; DROP FUNCTION refuse_replay_record()');
    }
    const again = await replay(deadLetter.recordId, { operator: 'bob' });
    expect(again.status).to.equal(409);
    expect(again.body.message).to.contain('is being replayed, by alice');
    expect((await inspect(deadLetter.recordId)).body.data.replay).to.include({ replayedBy: 'alice', replayedAt: null });
  });

  it('has checked every response the document declares for the dead-letter API (the 503 is the next test, below HTTP)', () => {
    expect(withoutKeyAnswers(contract.coverage().unchecked).filter((response) => response.includes(' /api/dlq'))).to.deep.equal(['POST /api/dlq/{recordId}/replay 503']);
  });

  it('with Kafka unreachable, a replay fails as unavailable (503) and records nothing', async () => {
    const deadLetter = await deadLetterOf('DLQ-NOT-AVRO');
    const unreachable = createKafkaClient({ brokers: '127.0.0.1:9', clientId: 'dead-letter-replay-unreachable', overrides: { retry: { retries: 0 }, connectionTimeout: 300 } });
    const replayer = createDeadLetterReplayer({ kafka: unreachable, sourceTopics: [config.ORDER_EVENTS_TOPIC], store: createDeadLetterStore(db.knex), logger: createLogger('silent', 'test') });
    try {
      const failure = await replayer.replay(deadLetter.recordId, 'alice').catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(AppError).and.to.include({ code: 'DEPENDENCY_UNAVAILABLE', httpStatus: 503 });
    } finally {
      await replayer.stop();
    }
    expect((await inspect(deadLetter.recordId)).body.data.replay).to.equal(null);
  });
});
