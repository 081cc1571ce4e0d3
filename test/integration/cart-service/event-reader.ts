import type { KafkaMessage } from 'kafkajs';
import type { Config } from '../../../src/config';
import { Decimal } from '../../../src/domain';
import { createOrderEventSerde } from '../../../src/lib/registry';

/** A decoded event as plain JSON: money as 2-decimal strings, instants as ISO strings. */
export type DecodedEventJson = { type: string; eventId: string } & Record<string, unknown>;

const serdes = new Map<string, ReturnType<typeof createOrderEventSerde>>();

/** Decodes a record of the topic with the shared serde (reading the schema from the registry by its id). */
export async function decodeOrderEvent(config: Config, message: KafkaMessage): Promise<DecodedEventJson> {
  const key = `${config.SCHEMA_REGISTRY_URL} ${config.ORDER_EVENTS_TOPIC}`;
  let serde = serdes.get(key);
  if (!serde) {
    serde = createOrderEventSerde({ registryUrl: config.SCHEMA_REGISTRY_URL, topic: config.ORDER_EVENTS_TOPIC });
    serdes.set(key, serde);
  }
  const decoded = await serde.decode(message.value!);
  const event = toJson(decoded.event) as Record<string, unknown>;
  return { ...event, type: decoded.type, eventId: String(event.eventId) };
}

/** Decimals -> their exact 2-decimal string, Dates -> ISO strings, recursively. */
function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    if (Decimal.isDecimal(value)) return value.toFixed(2);
    return Object.fromEntries(Object.entries(value).map(([field, inner]) => [field, toJson(inner)]));
  }
  return value;
}
