import { Router } from 'express';
import { z } from 'zod';
import { idSchema } from '../domain';
import { success } from '../lib/http';
import type { OrderRecord, OrderRepository } from './order-repository';
import { findOrThrow, orderIdsPage, parse, positiveInt, query, statusFilter } from './query-params';

const MAX_PAGE_SIZE = 100;

const listSchema = z.object({
  status: statusFilter,
  page: positiveInt(1_000_000).default(1),
  pageSize: positiveInt(MAX_PAGE_SIZE).default(20),
});

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
    shippingCost: order.shippingCost,
    updatedAt: order.updatedAt,
  };
}

/** The query API: routes parse, call the repository and answer with the envelope. */
export function orderRoutes(repository: OrderRepository): Router {
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
    const { status, page, pageSize } = parse(listSchema, query(req));
    const { orders, total } = await repository.listOrders({ status, page, pageSize });
    res.json(success(`${orders.length} of ${total} orders`, { orders, page, pageSize, total }));
  });

  router.get('/orders/:orderId', async (req, res) => {
    const { orderId } = parse(z.object({ orderId: idSchema }), req.params);
    res.json(success('order found', orderView(await findOrThrow(repository, orderId))));
  });

  router.get('/analytics/summary', async (_req, res) => {
    res.json(success('orders by status and revenue by currency', await repository.summary()));
  });

  return router;
}
