import { accessPolicy } from '../lib/access';

/** Reading notifications needs a reader (the defaults: the API only reads). */
export const NOTIFICATION_ACCESS_POLICY = accessPolicy([]);
