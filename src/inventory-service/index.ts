export { startInventoryService, INVENTORY_DB_POOL_MAX, type InventoryServiceDeps, type RunningInventoryService } from './server';
export { INVENTORY_DATABASE } from './database';
export { createInventoryRepository, type InventoryRepository, type StockRecord } from './inventory-repository';
export { OPENAPI_DOCUMENT } from './openapi';
export { planInventory, linesOf, type InventoryPlan, type InventoryState, type Reservation, type ReservationState, type StockLevel } from './reservation-planner';
