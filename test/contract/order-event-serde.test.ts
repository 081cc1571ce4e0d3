import { expect } from 'chai';
import avro from 'avsc';
import Decimal from 'decimal.js';
import { loadSchemaCatalog } from '../../scripts/schemas/catalog';
import { schemaText } from '../../scripts/schemas/schema-sync';
import { AppError } from '../../src/errors';
import {
  avroType,
  createInventoryEventSerde,
  createOrderEventSerde,
  frameWireRecord,
  INVENTORY_EVENT_TYPES,
  poisonReasonOf,
  subjectFor,
  type InventoryEvent,
  type OrderEvent,
  type OrderEventSerde,
  type RegistryClient,
} from '../../src/lib/registry';
import { countingProxy, plain, randomTopic, registryReady, REGISTRY_URL, SAMPLES, SCHEMAS_DIR, unreachableRegistryUrl } from './registry-kit';

const ORDER_CREATED = 'io.orderflow.events.OrderCreated';
const STATUS_UPDATED = 'io.orderflow.events.OrderStatusUpdated';
const catalog = loadSchemaCatalog(SCHEMAS_DIR);
const history = (name: string) => {
  const record = catalog.records.find((entry) => entry.name === name);
  if (!record) throw new Error(`no record ${name} in schemas/`);
  return record;
};

function orderCreated(): Extract<OrderEvent, { type: 'OrderCreated' }> {
  return {
    type: 'OrderCreated',
    event: {
      eventId: '3e1f5b0a-6c2d-4f8e-9a7b-1c2d3e4f5a6b',
      occurredAt: new Date('2024-07-01T10:00:00.250Z'),
      order: {
        orderId: 'ORDER-100',
        customerId: 'CUST-1',
        orderDate: new Date('2024-07-01T09:59:00.000Z'),
        items: [
          { itemId: 'SKU-1', quantity: 2, price: new Decimal('19.99') },
          { itemId: 'SKU-2', quantity: 1, price: new Decimal('0.01') },
        ],
        totalAmount: new Decimal('39.99'),
        currency: 'EUR',
        status: 'pending',
        salesChannel: 'marketplace',
      },
    },
  };
}

function statusUpdated(): Extract<OrderEvent, { type: 'OrderStatusUpdated' }> {
  return {
    type: 'OrderStatusUpdated',
    event: { eventId: '9d8c7b6a-5f4e-4d3c-8b2a-190817161514', occurredAt: new Date('2024-07-01T11:00:00.000Z'), orderId: 'ORDER-100', status: 'paid', previousStatus: 'confirmed' },
  };
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a rejection');
}

describe('order event serde (real registry)', function () {
  let client: RegistryClient;
  let topic: string;
  let serde: OrderEventSerde;

  before(async function () {
    client = await registryReady();
  });

  beforeEach(function () {
    topic = randomTopic();
    serde = createOrderEventSerde({ registryUrl: REGISTRY_URL, topic });
  });

  describe('registration', function () {
    it('registers the current version of each event under <topic>-<record full name>, with its mode', async function () {
      await serde.registerSchemas();
      expect(await client.versions(subjectFor(topic, ORDER_CREATED))).to.deep.equal([1]);
      expect(await client.versions(subjectFor(topic, STATUS_UPDATED))).to.deep.equal([1]);
      const registered = await client.version(subjectFor(topic, ORDER_CREATED), 'latest');
      // Compared parsed: registries hand back their own spelling of the schema (Confluent its
      // canonical string; Apicurio the text first stored for equal content, keys reordered).
      const normalized = (schema: object) => JSON.stringify(avroType(schema).schema({ exportAttrs: true }));
      expect(normalized(JSON.parse(registered?.schema ?? '{}') as object)).to.equal(normalized(history('OrderCreated').current.schema));
      expect(await client.compatibility(subjectFor(topic, ORDER_CREATED))).to.equal('FULL');
      expect(await client.compatibility(subjectFor(topic, STATUS_UPDATED))).to.equal('BACKWARD');
    });

    it('is idempotent: a second service registering the same schemas gets the same ids and adds no version', async function () {
      const first = await serde.encode(orderCreated());
      const second = createOrderEventSerde({ registryUrl: REGISTRY_URL, topic });
      await second.registerSchemas();
      await second.registerSchemas();
      expect((await second.encode(orderCreated())).subarray(0, 5)).to.deep.equal(first.subarray(0, 5));
      expect(await client.versions(subjectFor(topic, ORDER_CREATED))).to.deep.equal([1]);
    });

    it('finds the version schemas:register registered, whose id then goes on the wire', async function () {
      const subject = subjectFor(topic, ORDER_CREATED);
      await client.setCompatibility(subject, 'FULL');
      for (const version of history('OrderCreated').versions) await client.register(subject, schemaText(version));
      const current = await client.version(subject, 'latest');
      const bytes = await serde.encode(orderCreated());
      expect(bytes.readInt32BE(1)).to.equal(current?.id);
      expect(await client.versions(subject)).to.deep.equal(history('OrderCreated').versions.map((version) => version.version));
    });
  });

  describe('encode and decode', function () {
    it('round-trips both event types in Confluent wire format, with exact money and real dates', async function () {
      for (const event of [orderCreated(), statusUpdated()]) {
        const bytes = await serde.encode(event);
        expect(bytes[0]).to.equal(0);
        const decoded = await serde.decode(bytes);
        expect(decoded.type).to.equal(event.type);
        expect(decoded.schemaId).to.equal(bytes.readInt32BE(1));
        expect(plain(decoded.event)).to.deep.equal(plain(event.event));
      }
    });

    it('decodes through an independent path to the same values: plain avsc, schema fetched by id over HTTP', async function () {
      const bytes = await serde.encode(orderCreated());
      const schemaId = bytes.readInt32BE(1);
      const response = await fetch(`${REGISTRY_URL}/schemas/ids/${schemaId}`);
      const { schema } = (await response.json()) as { schema: string };
      // No Orderflow logical types here: decimals stay bytes, timestamps stay numbers.
      const decoded = avro.Type.forSchema(JSON.parse(schema) as avro.Schema).fromBuffer(bytes.subarray(5)) as {
        eventId: string;
        occurredAt: number;
        order: { orderId: string; orderDate: number; items: Array<{ price: Buffer; quantity: number }>; totalAmount: Buffer; currency: string; status: string; salesChannel: string };
      };
      const sent = orderCreated().event;
      expect(decoded.eventId).to.equal(sent.eventId);
      expect(decoded.occurredAt).to.equal(sent.occurredAt.getTime());
      expect(decoded.order.orderDate).to.equal(sent.order.orderDate.getTime());
      expect(decoded.order.items.map((item) => item.price.toString('hex'))).to.deep.equal(['07cf', '01']); // 1999 and 1 cents
      expect(decoded.order.totalAmount.toString('hex')).to.equal('0f9f'); // 3999 cents
      expect([decoded.order.orderId, decoded.order.currency, decoded.order.status, decoded.order.salesChannel]).to.deep.equal(['ORDER-100', 'EUR', 'pending', 'marketplace']);
    });

    it('leaves out a field with a default: salesChannel is written as web', async function () {
      const event = orderCreated();
      delete event.event.order.salesChannel;
      const decoded = await serde.decode(await serde.encode(event));
      expect(decoded.type === 'OrderCreated' && decoded.event.order.salesChannel).to.equal('web');
    });

    it('decodes a record written with OrderCreated v1 (before salesChannel) into the current shape', async function () {
      const subject = subjectFor(topic, ORDER_CREATED);
      const v1 = history('OrderCreated').versions[0];
      if (!v1) throw new Error('OrderCreated has no v1');
      const { id } = await client.register(subject, schemaText(v1));
      const decoded = await serde.decode(frameWireRecord(id, v1.type.toBuffer(SAMPLES['OrderCreated/v1'])));
      expect(decoded.type).to.equal('OrderCreated');
      expect(decoded.schemaId).to.equal(id);
      expect(decoded.type === 'OrderCreated' && decoded.event.order.salesChannel).to.equal('web');
      expect(plain(decoded.event)).to.deep.include({ eventId: SAMPLES['OrderCreated/v1']?.eventId });
    });

    it('reads a status symbol added by a newer producer as unknown (the enum default)', async function () {
      const subject = subjectFor(topic, STATUS_UPDATED);
      const future = JSON.parse(schemaText(history('OrderStatusUpdated').current)) as { fields: Array<{ name: string; type: { symbols?: string[] } }> };
      future.fields.find((field) => field.name === 'status')?.type.symbols?.push('returned');
      await serde.registerSchemas();
      // BACKWARD lets a writer add a symbol; the enum default keeps old readers working too.
      const { id } = await client.register(subject, JSON.stringify(future));
      const writer = avro.Type.forSchema(future as unknown as avro.Schema, { logicalTypes: {} });
      const body = writer.toBuffer({ eventId: '0a9e2f6c-7d4b-4e8a-b1c3-5d6e7f809112', occurredAt: 0, orderId: 'ORDER-1', status: 'returned', previousStatus: 'shipped' });
      const decoded = await serde.decode(frameWireRecord(id, body));
      expect(decoded.type === 'OrderStatusUpdated' && [decoded.event.status, decoded.event.previousStatus]).to.deep.equal(['unknown', 'shipped']);
    });

    it('refuses to encode a value that does not fit, naming each field', async function () {
      const event = orderCreated();
      event.event.order.totalAmount = new Decimal('39.999');
      (event.event.order.items[0] as { quantity: unknown }).quantity = 2.5;
      const error = await rejection(serde.encode(event));
      expect(error.code).to.equal('VALIDATION_FAILED');
      expect(error.fieldErrors).to.deep.include.members([
        { field: 'order.totalAmount', message: '39.999 has 3 decimal places; decimal(12,2) allows at most 2' },
        { field: 'order.items.0.quantity', message: 'expected an integer (32-bit), got 2.5' },
      ]);
    });
  });

  describe('poison messages', function () {
    it('a schema id the registry does not know is POISON_MESSAGE UNKNOWN_SCHEMA_ID', async function () {
      const error = await rejection(serde.decode(frameWireRecord(2_000_000_001, Buffer.from('00', 'hex'))));
      expect([error.code, error.retriable, poisonReasonOf(error)]).to.deep.equal(['POISON_MESSAGE', false, 'UNKNOWN_SCHEMA_ID']);
      expect(error.message).to.contain('2000000001');
    });

    it('a bad magic byte is POISON_MESSAGE NOT_CONFLUENT_AVRO', async function () {
      const error = await rejection(serde.decode(Buffer.from('{"orderId":"ORDER-1"}')));
      expect([error.code, poisonReasonOf(error)]).to.deep.equal(['POISON_MESSAGE', 'NOT_CONFLUENT_AVRO']);
    });

    it('a body that is not Avro of its schema is POISON_MESSAGE UNDECODABLE', async function () {
      const good = await serde.encode(statusUpdated());
      const truncated = good.subarray(0, good.length - 3);
      const padded = Buffer.concat([good, Buffer.from('ffff', 'hex')]);
      for (const bytes of [truncated, padded]) {
        const error = await rejection(serde.decode(bytes));
        expect([error.code, poisonReasonOf(error)]).to.deep.equal(['POISON_MESSAGE', 'UNDECODABLE']);
      }
    });

    it('a record of a schema that is no order event is POISON_MESSAGE UNKNOWN_EVENT_TYPE', async function () {
      const stranger = { type: 'record', name: 'Stranger', namespace: 'io.elsewhere', fields: [{ name: 'x', type: 'string' }] };
      const { id } = await client.register(`${topic}-io.elsewhere.Stranger`, JSON.stringify(stranger));
      const error = await rejection(serde.decode(frameWireRecord(id, avro.Type.forSchema(stranger as avro.Schema).toBuffer({ x: 'hi' }))));
      expect(poisonReasonOf(error)).to.equal('UNKNOWN_EVENT_TYPE');
    });

    it('an inventory event on the order events topic is POISON_MESSAGE UNKNOWN_EVENT_TYPE, naming the topic it belongs to', async function () {
      const inventory = createInventoryEventSerde({ registryUrl: REGISTRY_URL, topic: `${topic}-inventory` });
      const bytes = await inventory.encode({ type: 'InventoryReserved', event: SAMPLES['InventoryReserved/v1'] } as unknown as InventoryEvent);
      const error = await rejection(serde.decode(bytes));
      expect(poisonReasonOf(error)).to.equal('UNKNOWN_EVENT_TYPE');
      expect(error.message).to.contain('io.orderflow.inventory.InventoryReserved, not an event of the order topic');
    });
  });

  describe('the inventory events stream', function () {
    it('registers its records under its own topic only, and round-trips each of them', async function () {
      const inventoryTopic = `${topic}-inventory`;
      const inventory = createInventoryEventSerde({ registryUrl: REGISTRY_URL, topic: inventoryTopic });
      await inventory.registerSchemas();
      for (const type of INVENTORY_EVENT_TYPES) {
        const fullName = history(type).fullName;
        expect(await client.versions(subjectFor(inventoryTopic, fullName)), type).to.deep.equal([1]);
        expect(await client.versions(subjectFor(topic, fullName)), `${type} not under the order topic`).to.equal(undefined);
        const event = SAMPLES[`${type}/v1`];
        // The samples are typed loosely (one table for every record); the encoder checks them against the schema.
        const decoded = await inventory.decode(await inventory.encode({ type, event } as unknown as InventoryEvent));
        expect(decoded.type).to.equal(type);
        expect(plain(decoded.event)).to.deep.equal(plain(event));
      }
    });
  });

  describe('registry outages and caching', function () {
    it('an unreachable registry is DEPENDENCY_UNAVAILABLE (retriable), never poison', async function () {
      const good = await serde.encode(statusUpdated());
      const offline = createOrderEventSerde({ registryUrl: await unreachableRegistryUrl(), topic });
      for (const attempt of [offline.decode(good), offline.registerSchemas(), offline.encode(statusUpdated())]) {
        const error = await rejection(attempt);
        expect([error.code, error.retriable]).to.deep.equal(['DEPENDENCY_UNAVAILABLE', true]);
      }
    });

    it('a URL that is not a registry (404 without a registry error code) is DEPENDENCY_UNAVAILABLE, not poison', async function () {
      const good = await serde.encode(statusUpdated());
      const wrongPath = createOrderEventSerde({ registryUrl: `${new URL(REGISTRY_URL).origin}/no-registry-here`, topic });
      const error = await rejection(wrongPath.decode(good));
      expect(error.code).to.equal('DEPENDENCY_UNAVAILABLE');
    });

    it('fetches each writer schema once, even for many records of a new id decoded at the same time', async function () {
      const records = await Promise.all([serde.encode(orderCreated()), serde.encode(statusUpdated())]);
      const proxy = await countingProxy(REGISTRY_URL);
      try {
        const consumer = createOrderEventSerde({ registryUrl: proxy.url, topic });
        const decoded = await Promise.all(Array.from({ length: 40 }, (_, index) => consumer.decode(records[index % 2] as Buffer)));
        await consumer.decode(records[0] as Buffer);
        expect(decoded.map((entry) => entry.type)).to.include.members(['OrderCreated', 'OrderStatusUpdated']);
        for (const record of records) expect(proxy.count(`/schemas/ids/${record.readInt32BE(1)}`)).to.equal(1);
      } finally {
        await proxy.close();
      }
    });

    it('recovers after an outage: a failed schema fetch is not cached', async function () {
      const good = await serde.encode(statusUpdated());
      const proxy = await countingProxy(REGISTRY_URL);
      try {
        const consumer = createOrderEventSerde({ registryUrl: proxy.url, topic });
        proxy.outage(true);
        const error = await rejection(consumer.decode(good));
        expect([error.code, error.retriable]).to.deep.equal(['DEPENDENCY_UNAVAILABLE', true]);
        proxy.outage(false);
        expect((await consumer.decode(good)).type).to.equal('OrderStatusUpdated');
      } finally {
        await proxy.close();
      }
    });
  });
});
