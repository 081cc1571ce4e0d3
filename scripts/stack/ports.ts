/**
 * Loopback ports of the local stack. They sit away from the usual defaults (9092, 8081,
 * 5432, 9090) so the stack can run beside a Kafka, registry or PostgreSQL already on the machine.
 */
export const STACK_PORTS = Object.freeze({
  kafka: portFromEnv('ORDERFLOW_KAFKA_PORT', 19092),
  kafkaController: portFromEnv('ORDERFLOW_KAFKA_CONTROLLER_PORT', 19093),
  /** Kafka's SASL_SSL listener (SCRAM over TLS), beside the PLAINTEXT one the services use by default. */
  kafkaSaslSsl: portFromEnv('ORDERFLOW_KAFKA_SASL_SSL_PORT', 19094),
  registry: portFromEnv('ORDERFLOW_REGISTRY_PORT', 18081),
  postgres: portFromEnv('ORDERFLOW_POSTGRES_PORT', 15432),
  prometheus: portFromEnv('ORDERFLOW_PROMETHEUS_PORT', 19090),
});

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a port number between 1 and 65535, got '${raw}'`);
  }
  return port;
}
