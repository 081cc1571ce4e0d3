import { expect } from 'chai';
import { subjectFor } from '../../../src/lib/registry';

describe('subjectFor (TopicRecordNameStrategy)', () => {
  it('names the subject <topic>-<record full name>', () => {
    expect(subjectFor('order-events', 'io.orderflow.events.OrderCreated')).to.equal('order-events-io.orderflow.events.OrderCreated');
    expect(subjectFor('order-events', 'io.orderflow.events.OrderStatusUpdated')).to.equal('order-events-io.orderflow.events.OrderStatusUpdated');
  });

  it('keeps dots and dashes of the topic as they are', () => {
    expect(subjectFor('test.order-events_1', 'io.orderflow.events.OrderCreated')).to.equal('test.order-events_1-io.orderflow.events.OrderCreated');
  });

  it('refuses an empty topic and a name that is not an Avro full name', () => {
    expect(() => subjectFor(' ', 'io.orderflow.events.OrderCreated')).to.throw('topic name is empty');
    expect(() => subjectFor('order-events', 'io.orderflow.events.Order-Created')).to.throw('not an Avro full name');
    expect(() => subjectFor('order-events', '')).to.throw('not an Avro full name');
  });
});
