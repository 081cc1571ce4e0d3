import { Kafka, logLevel as KafkaLogLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { loggerForTools, type Logger } from '../../logger';
import type { KafkaSecurity } from './security';

/** kafkajs levels mapped onto the project's structured logger. */
const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

function logCreatorFor(log: Logger) {
  return () => ({ level, namespace, log: { message, ...extra } }: LogEntry) => {
    log[LEVELS[level] ?? 'info']({ namespace, ...extra }, message);
  };
}

export interface KafkaClientOptions {
  brokers: string;
  clientId: string;
  /** TLS and SASL, from the configuration through kafkaConnection(config); plaintext without. */
  security?: KafkaSecurity;
  /** Overrides for tests (faster retries) or tools. */
  overrides?: Partial<KafkaConfig>;
  /** Where kafkajs logs go (as component 'kafkajs'); scripts and tests may leave it out. */
  logger?: Logger;
}

/** A kafkajs client whose logs go through the project's JSON logger. */
export function createKafkaClient({ brokers, clientId, security = {}, overrides = {}, logger = loggerForTools() }: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(','),
    ...security,
    logLevel: KafkaLogLevel.WARN,
    logCreator: logCreatorFor(logger.child({ component: 'kafkajs' })),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    ...overrides,
  });
}
