import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import Decimal from 'decimal.js';
import { avroType } from '../../../src/lib/registry';
import { collectFieldErrors } from '../../../src/lib/registry/field-errors';

const SCHEMAS = path.resolve(__dirname, '../../../schemas');
const schema = (file: string) => JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as object;

const EVENT_ID = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

function orderCreatedV1() {
  return {
    eventId: EVENT_ID,
    occurredAt: new Date('2024-05-01T12:00:00.123Z'),
    order: {
      orderId: 'ORDER-001',
      customerId: 'CUST-7',
      orderDate: new Date('2024-05-01T11:59:00.000Z'),
      items: [
        { itemId: 'SKU-1', quantity: 2, price: new Decimal('19.99') },
        { itemId: 'SKU-2', quantity: 1, price: new Decimal('0.02') },
      ],
      totalAmount: new Decimal('40.00'),
      currency: 'EUR',
      status: 'pending',
    },
  };
}

describe('avsc with Orderflow logical types', () => {
  const v1 = avroType(schema('OrderCreated/v1.avsc'));
  const v2 = avroType(schema('OrderCreated/v2.avsc'));

  it('round-trips money as Decimal, times as Date and the event id as a string', () => {
    const decoded = v1.fromBuffer(v1.toBuffer(orderCreatedV1())) as ReturnType<typeof orderCreatedV1>;
    expect(decoded.eventId).to.equal(EVENT_ID);
    expect(decoded.occurredAt).to.be.instanceOf(Date);
    expect(decoded.occurredAt.toISOString()).to.equal('2024-05-01T12:00:00.123Z');
    expect(decoded.order.totalAmount).to.be.instanceOf(Decimal);
    expect(decoded.order.totalAmount.toFixed(2)).to.equal('40.00');
    expect(decoded.order.items.map((item) => item.price.toFixed(2))).to.deep.equal(['19.99', '0.02']);
  });

  it('writes the decimal as its two\'s complement bytes inside the record', () => {
    const priceOnly = avroType({ type: 'record', name: 'P', namespace: 'io.test', fields: [{ name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } }] });
    // Avro bytes: zig-zag length (2 -> 0x04) then the bytes 0x00 0x80 (1.28 = 128 cents).
    expect(priceOnly.toBuffer({ price: new Decimal('1.28') }).toString('hex')).to.equal('040080');
  });

  it('reads a v1 record with the v2 schema: the new field takes its default', () => {
    const decoded = v2.fromBuffer(v1.toBuffer(orderCreatedV1()), v2.createResolver(v1)) as { order: { salesChannel: string } };
    expect(decoded.order.salesChannel).to.equal('web');
  });

  it('reads a v2 record with the v1 schema: the new field is skipped', () => {
    const record = orderCreatedV1();
    const bytes = v2.toBuffer({ ...record, order: { ...record.order, salesChannel: 'mobile' } });
    const decoded = v1.fromBuffer(bytes, v1.createResolver(v2)) as { order: Record<string, unknown> };
    expect(decoded.order).to.not.have.property('salesChannel');
    expect(decoded.order.orderId).to.equal('ORDER-001');
  });

  it('writes the default of a field left out (what the Input types allow)', () => {
    const decoded = v2.fromBuffer(v2.toBuffer(orderCreatedV1())) as { order: { salesChannel: string } };
    expect(decoded.order.salesChannel).to.equal('web');
  });

  it('reads a status symbol it does not know as unknown (the enum default)', () => {
    const statusUpdated = schema('OrderStatusUpdated/v1.avsc') as { fields: Array<{ name: string; type: unknown }> };
    const future = JSON.parse(JSON.stringify(statusUpdated)) as typeof statusUpdated;
    const status = future.fields.find((field) => field.name === 'status')?.type as { symbols: string[] };
    status.symbols.push('returned');
    const reader = avroType(statusUpdated);
    const writer = avroType(future);
    const bytes = writer.toBuffer({ eventId: EVENT_ID, occurredAt: new Date(0), orderId: 'ORDER-1', status: 'returned', previousStatus: 'returned' });
    const decoded = reader.fromBuffer(bytes, reader.createResolver(writer)) as { status: string; previousStatus: string };
    expect(decoded.status).to.equal('unknown');
    expect(decoded.previousStatus).to.equal('unknown');
  });

  it('refuses to resolve a decimal of another scale rather than rescale money', () => {
    const at = (scale: number) => avroType({ type: 'record', name: 'P', namespace: 'io.test', fields: [{ name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale } }] });
    expect(() => at(2).createResolver(at(3))).to.throw();
    expect(() => at(2).createResolver(at(2))).not.to.throw();
  });

  it('exports precision and scale with the schema', () => {
    expect(JSON.stringify(v1.schema({ exportAttrs: true }))).to.contain('"logicalType":"decimal","precision":12,"scale":2');
  });

  it('names every field that does not fit, with a reason', () => {
    const record = orderCreatedV1();
    const broken = {
      ...record,
      eventId: 'not-a-uuid',
      occurredAt: '2024-05-01',
      order: { ...record.order, status: 'lost', items: [{ itemId: 'SKU-1', quantity: 1.5, price: new Decimal('1.005') }], totalAmount: 40 },
    };
    const errors = collectFieldErrors(v1, broken);
    expect(errors).to.deep.include.members([
      { field: 'eventId', message: 'expected a UUID string, got "not-a-uuid"' },
      { field: 'occurredAt', message: 'expected a Date, got string' },
      { field: 'order.items.0.quantity', message: 'expected an integer (32-bit), got 1.5' },
      { field: 'order.items.0.price', message: '1.005 has 3 decimal places; decimal(12,2) allows at most 2' },
      { field: 'order.totalAmount', message: 'expected a decimal.js Decimal for decimal(12,2), got number 40' },
      { field: 'order.status', message: "expected one of pending, confirmed, paid, shipped, delivered, cancelled, unknown, got 'lost'" },
    ]);
    expect(() => v1.toBuffer(broken)).to.throw();
  });

  it('refuses an invalid Date', () => {
    expect(collectFieldErrors(v1, { ...orderCreatedV1(), occurredAt: new Date('nope') })).to.deep.equal([
      { field: 'occurredAt', message: 'expected a valid Date, got an Invalid Date' },
    ]);
  });
});
