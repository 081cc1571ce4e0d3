import { runService } from '../lib/service';
import { startOrderService } from './server';

runService({
  name: 'order-service',
  stopping: 'finishing the batch in hand, committing, leaving the group',
  start: (config) => startOrderService(config),
});
