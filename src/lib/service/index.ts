export { runService, type RunServiceOptions } from './run-service';
export { registerInBackground, type BackgroundRegistration } from './background-registration';
export type { ServiceDeps } from './service-deps';
export { KAFKA_START_DEADLINE_MS, startThroughTransientKafkaFailures } from './kafka-start';
