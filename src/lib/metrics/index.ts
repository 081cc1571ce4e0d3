export { createMetrics, timeDbOperation, type Metrics, type MetricsOptions } from './metrics';
