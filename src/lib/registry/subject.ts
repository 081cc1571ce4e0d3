/**
 * The one rule for subject names: TopicRecordNameStrategy, `<topic>-<record full name>`, e.g.
 * `order-events-io.orderflow.events.OrderCreated`. Several event types share one topic (so all
 * events of an order, keyed by its id, stay in order on one partition) while each record
 * evolves under its own subject and compatibility mode. It is the subject Confluent's
 * serializers derive with `value.subject.name.strategy=TopicRecordNameStrategy`.
 */
export function subjectFor(topic: string, recordFullName: string): string {
  if (topic.trim() === '') throw new Error('subjectFor: the topic name is empty');
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(recordFullName)) {
    throw new Error(`subjectFor: '${recordFullName}' is not an Avro full name`);
  }
  return `${topic}-${recordFullName}`;
}
