import { expect } from 'chai';
import { idSchema, parseIsoDateTime, parseMoney, parseStatus } from '../../../src/domain';
import { GENERATE_ORDER_REQUEST_JSON_SCHEMA, NEW_ORDER_JSON_SCHEMA, STATUS_UPDATE_JSON_SCHEMA } from '../../../src/domain/request-json-schemas';

type Schema = Record<string, unknown> & { properties: Record<string, Record<string, unknown>> };

/** A property's pattern as the validators of OpenAPI 3.1 documents read it (ECMA-262, unicode). */
function patternOf(schema: Record<string, unknown>, ...path: string[]): RegExp {
  let node: unknown = schema;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  const pattern = (node as { pattern?: unknown }).pattern;
  expect(pattern, path.join('.')).to.be.a('string');
  return new RegExp(pattern as string, 'u');
}

/** Every string of `alphabet` up to `maxLength` characters. */
function stringsOf(alphabet: string[], maxLength: number): string[] {
  let level = [''];
  const all = [''];
  for (let length = 1; length <= maxLength; length += 1) {
    level = level.flatMap((prefix) => alphabet.map((character) => prefix + character));
    all.push(...level);
  }
  return all;
}

function expectSameVerdicts(pattern: RegExp, inputs: string[], accepts: (input: string) => boolean): void {
  const disagreements = inputs.filter((input) => pattern.test(input) !== accepts(input)).slice(0, 10);
  expect(disagreements.map((input) => JSON.stringify(input)), 'pattern and service disagree on').to.deep.equal([]);
}

const order = NEW_ORDER_JSON_SCHEMA as Schema;

describe('request JSON Schemas (generated from the zod schemas that validate)', () => {
  it('state the id rule exactly: trimmed blanks around, 1 to 64 characters, no control characters', () => {
    const accepts = (id: string) => idSchema.safeParse(id).success;
    const alphabet = ['a', ' ', '\t', '\u00a0', '\ufeff', '\u0085', '\u0001', '\u180e', '😀'];
    const long = (length: number, character = 'x') => character.repeat(length);
    const boundaries = [long(63), long(64), long(65), ` ${long(64)} `, `\n${long(64)}\u3000`, long(64, '😀'), long(65, '😀'), `${long(62)} x`, `${long(63)}\u0007`];
    for (const path of [['orderId'], ['customerId']]) expectSameVerdicts(patternOf(order, 'properties', ...path), [...stringsOf(alphabet, 3), ...boundaries], accepts);
    expectSameVerdicts(patternOf(order, 'properties', 'items', 'items', 'properties', 'itemId'), boundaries, accepts);
    expectSameVerdicts(patternOf(STATUS_UPDATE_JSON_SCHEMA, 'properties', 'orderId'), boundaries, accepts);
    expectSameVerdicts(patternOf(GENERATE_ORDER_REQUEST_JSON_SCHEMA, 'properties', 'orderId'), boundaries, accepts);
  });

  it('state the date rule exactly: RFC 3339 or a calendar date that exists, in the years 0001-9999', () => {
    const pattern = patternOf(order, 'properties', 'orderDate');
    const accepts = (value: string) => parseIsoDateTime(value) !== undefined;
    const years = ['0000', '0001', '0004', '0100', '0400', '1900', '2000', '2023', '2024', '9996', '9999'];
    const monthDays = ['01-01', '01-31', '02-28', '02-29', '02-30', '04-30', '04-31', '06-31', '12-31', '12-32', '13-01', '00-10', '11-00'];
    const dates = years.flatMap((year) => monthDays.map((monthDay) => `${year}-${monthDay}`));
    const times = ['T00:00:00Z', 'T23:59:59.123456789Z', 'T12:30:00+02:00', 'T12:30:00-23:59', 'T24:00:00Z', 'T23:60:00Z', 'T23:59:60Z', 'T12:00:00.Z', 'T12:00:00.1234567890Z', 't12:00:00z', 'T12:00:00', 'T12:00:00+24:00', 'T12:00:00+05:60'];
    const inside = dates.flatMap((date) => [date, ...times.map((time) => date + time)]).filter((value) => !/^(0000-12-31|0001-01-01|9999-12-31)T/.test(value));
    expectSameVerdicts(pattern, [...inside, '', '2024-5-1', '2024-05-01 12:00:00Z', '+2024-05-01', '12024-05-01'], accepts);
  });

  it('near the ends of the years 0001-9999, refuse a date-time whose offset could leave them, never accepting one the service refuses, and say so', () => {
    const pattern = patternOf(order, 'properties', 'orderDate');
    const edges = ['0000-12-31', '0001-01-01', '9999-12-31'].flatMap((date) =>
      ['T00:00:00Z', 'T00:30:00+01:00', 'T05:00:00+01:00', 'T23:30:00-01:00', 'T00:00:00-00:00', 'T12:00:00+00:00'].map((time) => date + time),
    );
    for (const value of edges) if (pattern.test(value)) expect(parseIsoDateTime(value), value).to.not.equal(undefined);
    // ...and it does accept the edge days with offsets that keep them inside.
    for (const value of ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00-05:00', '9999-12-31T23:59:59+00:00', '9999-12-31T12:00:00+05:00']) {
      expect(pattern.test(value), value).to.equal(true);
      expect(parseIsoDateTime(value), value).to.not.equal(undefined);
    }
    // What the pattern refuses there though the service accepts (the instant stays inside).
    expect(pattern.test('0001-01-01T05:00:00+01:00')).to.equal(false);
    expect(parseIsoDateTime('0001-01-01T05:00:00+01:00')).to.not.equal(undefined);
    expect(pattern.test('0000-12-31T23:30:00-01:00')).to.equal(false);
    expect(parseIsoDateTime('0000-12-31T23:30:00-01:00')).to.not.equal(undefined);
    expect(order.properties.orderDate?.description).to.match(/0001-01-01/);
  });

  it('state the money rule exactly: a string above 0 with at most 2 decimals and 10 integer digits', () => {
    const money = order.properties.totalAmount as { oneOf: Array<Record<string, unknown>> };
    const pattern = patternOf(money.oneOf[0]!);
    const accepts = (value: string) => parseMoney(value, 'totalAmount', { positive: true }).ok;
    const amounts = stringsOf(['0', '1', '5', '.'], 5);
    expectSameVerdicts(pattern, [...amounts, '9999999999.99', '10000000000', '1.500', '1.505', '0.001', '-1', '1e2', ' 1', '01.5'], accepts);
  });

  it('state the status rules exactly: any status in any case for an update, pending (or new) for a new order', () => {
    const spellings = ['pending', 'PENDING', 'Pending', 'new', 'NEW', 'canceled', 'Cancelled', 'confirmed', 'PROCESSING', 'shipped', 'delivered', 'paid', 'pendin', 'pendingg', ' pending', 'unknown', ''];
    expectSameVerdicts(patternOf(STATUS_UPDATE_JSON_SCHEMA, 'properties', 'status'), spellings, (value) => parseStatus(value) !== undefined);
    expectSameVerdicts(patternOf(order, 'properties', 'status'), spellings, (value) => parseStatus(value) === 'pending');
  });

  it('tell the two create forms apart as the service does: a body with items is a full order', () => {
    expect(GENERATE_ORDER_REQUEST_JSON_SCHEMA.not).to.deep.equal({ required: ['items'] });
    expect(order.required).to.include('items');
  });
});
