import { accessPolicy } from '../lib/access';

/**
 * Every query (orders, timelines, analytics, order ids of a topic, both seed dialects) needs a
 * reader; the dead-letter topic (list, inspect, replay: it may hold any data, and a replay changes
 * state) and the operator APIs over the registry and consumer group need an admin. The console's
 * page and its scripts hold no data and are open: the page asks for a key and sends it with each
 * API call.
 */
export const ORDER_ACCESS_POLICY = accessPolicy([
  { prefix: '/api/dlq', needs: 'admin' },
  { prefix: '/api/schemas', needs: 'admin' },
  { prefix: '/api/consumer-lag', needs: 'admin' },
  { prefix: '/console', needs: 'open' },
]);
