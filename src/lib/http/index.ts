export { createHttpApp, type HttpAppOptions, type ReadinessCheck } from './app';
export { errorEnvelope, success, type ErrorEnvelope, type SuccessEnvelope } from './envelope';
export { listen, type RunningServer } from './server';
export { databaseReadiness, kafkaReadiness, registryReadiness } from './readiness-checks';
export { exactNumber, sendExactJson } from './exact-json';
export { pagingFields, parse, positiveInt, query } from './request-params';
export { serveApiDocs } from './api-docs';
