import { runService } from '../lib/service';
import { startInventoryService } from './server';

runService({
  name: 'inventory-service',
  stopping: 'finishing the batch in hand and sending its answers, committing, leaving the group',
  start: (config) => startInventoryService(config),
});
