import { runService } from '../lib/service';
import { startNotificationService } from './server';

runService({
  name: 'notification-service',
  stopping: 'finishing the batches and the webhook round in hand, committing, leaving the groups',
  start: (config) => startNotificationService(config),
});
