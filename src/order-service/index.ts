export { startOrderService, ORDER_DB_POOL_MAX, type OrderServiceDeps, type RunningOrderService } from './server';
export { createOrderRepository, type OrderRepository, type OrderRecord, type AnalyticsSummary } from './order-repository';
export { planBatch, type BatchPlan } from './order-event-handler';
export { ORDER_DATABASE } from './database';
