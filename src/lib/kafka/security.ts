import type { KafkaConfig } from 'kafkajs';
import { readCaCertificate, type Config } from '../../config';

/** The settings that say how to reach Kafka. */
export type KafkaConnectionSettings = Pick<
  Config,
  'KAFKA_BROKERS' | 'KAFKA_SECURITY_PROTOCOL' | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD' | 'KAFKA_SSL_CA_FILE'
>;

/** kafkajs' TLS and SASL options; both absent for plaintext. */
export type KafkaSecurity = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/**
 * Turns the Kafka settings into kafkajs' `ssl` and `sasl` options: nothing for plaintext; TLS
 * trusting KAFKA_SSL_CA_FILE (or, without one, Node's bundled CAs) for ssl; and SCRAM on top
 * of it for sasl_ssl. Node checks the broker's certificate and host name in both.
 * A CA file gone since the configuration was loaded throws a ConfigError naming it.
 */
export function kafkaSecurity(settings: Omit<KafkaConnectionSettings, 'KAFKA_BROKERS'>): KafkaSecurity {
  const { KAFKA_SECURITY_PROTOCOL: protocol, KAFKA_SSL_CA_FILE: caFile } = settings;
  if (protocol === 'plaintext') return {};
  const ssl = caFile === undefined ? true : { ca: [readCaCertificate('KAFKA_SSL_CA_FILE', caFile)] };
  if (protocol === 'ssl') return { ssl };
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = settings;
  // loadConfig refuses sasl_ssl without both; a config built by hand gets the same answer.
  if (username === undefined || password === undefined) throw new TypeError('KAFKA_SECURITY_PROTOCOL sasl_ssl needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  // kafkajs types each mechanism's options apart; a union of mechanisms needs the branch.
  const sasl = settings.KAFKA_SASL_MECHANISM === 'scram-sha-256' ? { mechanism: 'scram-sha-256' as const, username, password } : { mechanism: 'scram-sha-512' as const, username, password };
  return { ssl, sasl };
}

/** What {@link createKafkaClient} needs to reach Kafka: the brokers and how to talk to them. */
export function kafkaConnection(settings: KafkaConnectionSettings): { brokers: string; security: KafkaSecurity } {
  return { brokers: settings.KAFKA_BROKERS, security: kafkaSecurity(settings) };
}
