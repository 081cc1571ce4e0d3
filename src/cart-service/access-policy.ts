import { accessPolicy } from '../lib/access';

/** Writes (create, update, in both dialects) need a writer; reading an order a reader. */
export const CART_ACCESS_POLICY = accessPolicy(
  ['/api/create-order', '/api/update-order', '/create-order', '/update-order'].map((prefix) => ({ prefix, needs: 'writer' as const })),
);
