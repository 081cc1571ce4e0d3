import { runService } from '../lib/service';
import { startCartService } from './server';

runService({
  name: 'cart-service',
  stopping: 'no new connections, finishing in-flight requests, flushing the producer',
  start: (config) => startCartService(config),
});
