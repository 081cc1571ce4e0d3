export { createMetrics, timeDbOperation, type Metrics } from './metrics';
