export { startCartService, CART_DB_POOL_MAX, type CartServiceDeps, type RunningCartService } from './server';
export { OPENAPI_DOCUMENT } from './openapi';
export { CART_DATABASE } from './database';
