import { accessPolicy } from '../lib/access';

/** Setting stock is a write (writer); reading stock and reservations needs a reader. */
export const INVENTORY_ACCESS_POLICY = accessPolicy([{ prefix: '/api/inventory', methods: ['PUT'], needs: 'writer' }]);
