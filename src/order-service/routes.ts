import { Router } from 'express';
import { z } from 'zod';
import { idSchema } from '../domain';
import { AppError } from '../errors';
import { pagingFields, parse, positiveInt, query, success } from '../lib/http';
import type { OrderAnalytics } from './order-analytics';
import type { OrderRecord, OrderRepository } from './order-repository';
import type { OrderTimeline } from './order-timeline';
import { findOrThrow, orderIdsPage } from './order-reads';
import { minuteWindow, statusFilter } from './query-params';
import { ORDER_STOCK_STATES } from './stock-state';

export interface OrderRoutesDeps {
  repository: OrderRepository;
  timeline: OrderTimeline;
  analytics: OrderAnalytics;
}

const MAX_PAGE_SIZE = 100;
const DEFAULT_TOP_PRODUCTS = 10;
const MAX_TOP_PRODUCTS = 100;

const listSchema = z.object({ status: statusFilter, stockState: z.enum(ORDER_STOCK_STATES).optional(), ...pagingFields(20, MAX_PAGE_SIZE) });

/** The public view of an order: its JSON (money as strings) plus the shipping cost. */
function orderView(order: OrderRecord) {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    orderDate: order.orderDate,
    items: order.items,
    totalAmount: order.totalAmount,
    currency: order.currency,
    status: order.status,
    stockState: order.stockState,
    shippingCost: order.shippingCost,
    updatedAt: order.updatedAt,
  };
}

/** The query API: routes parse, call the repository and answer with the envelope. */
export function orderRoutes({ repository, timeline, analytics }: OrderRoutesDeps): Router {
  const router = Router();

  router.get('/order-details', async (req, res) => {
    const { orderId } = parse(z.object({ orderId: idSchema }), query(req));
    res.json(success('order found', orderView(await findOrThrow(repository, orderId))));
  });

  router.get('/getAllOrderIdsFromTopic', async (req, res) => {
    const page = await orderIdsPage(repository, query(req));
    res.json(success(`${page.orderIds.length} order ids consumed from ${page.topicName}`, page));
  });

  router.get('/orders', async (req, res) => {
    const { status, stockState, page, pageSize } = parse(listSchema, query(req));
    const { orders, total } = await repository.listOrders({ status, stockState, page, pageSize });
    res.json(success(`${orders.length} of ${total} orders`, { orders, page, pageSize, total }));
  });

  router.get('/orders/:orderId', async (req, res) => {
    const { orderId } = parse(z.object({ orderId: idSchema }), req.params);
    res.json(success('order found', orderView(await findOrThrow(repository, orderId))));
  });

  router.get('/orders/:orderId/events', async (req, res) => {
    const { orderId } = parse(z.object({ orderId: idSchema }), req.params);
    const { events, truncated } = await timeline.eventsOf(orderId);
    if (events.length === 0) throw new AppError('NOT_FOUND', `no event of order '${orderId}' has been consumed`);
    res.json(success(`${events.length} events of order ${orderId}${truncated ? ' (the first ones only)' : ''}`, { orderId, events, truncated }));
  });

  router.get('/analytics/orders-per-minute', async (req, res) => {
    const { from, to } = minuteWindow(query(req), new Date());
    const minutes = await analytics.ordersPerMinute(from, to);
    const total = minutes.reduce((sum, minute) => sum + minute.orders, 0);
    res.json(success(`${total} orders placed from ${from.toISOString()} to ${to.toISOString()}`, { from: from.toISOString(), to: to.toISOString(), minutes }));
  });

  router.get('/analytics/top-products', async (req, res) => {
    const { limit } = parse(z.object({ limit: positiveInt(MAX_TOP_PRODUCTS).default(DEFAULT_TOP_PRODUCTS) }), query(req));
    const products = await analytics.topProducts(limit);
    res.json(success(`the ${products.length} items sold in most units (cancelled orders excluded)`, { products }));
  });

  router.get('/analytics/summary', async (_req, res) => {
    res.json(success('orders by status and revenue by currency', await repository.summary()));
  });

  return router;
}
