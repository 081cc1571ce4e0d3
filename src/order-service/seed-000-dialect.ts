import { Router } from 'express';
import { z } from 'zod';
import { idSchema } from '../domain';
import { exactNumber, pagingFields, parse, query, sendExactJson } from '../lib/http';
import type { OrderRecord, OrderRepository, OrderSummary } from './order-repository';
import { findOrThrow } from './order-reads';
import { statusFilter } from './query-params';

/** Seed 000's clients read "all orders" in one answer, so a page is large by default. */
const DEFAULT_PAGE_SIZE = 1_000;
const MAX_PAGE_SIZE = 10_000;

const listQuery = z.object({ status: statusFilter, ...pagingFields(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) });

/** An order as a row of seed 000's `orders` table: snake_case, money as exact JSON numbers. */
function orderRow(order: OrderSummary) {
  return {
    order_id: order.orderId,
    customer_id: order.customerId,
    order_date: order.orderDate,
    total_amount: exactNumber(order.totalAmount),
    currency: order.currency,
    status: order.status,
    shipping_cost: exactNumber(order.shippingCost),
    updated_at: order.updatedAt,
  };
}

function orderWithItems(order: OrderRecord) {
  return { ...orderRow(order), items: order.items.map((item) => ({ item_id: item.itemId, quantity: item.quantity, price: exactNumber(item.price) })) };
}

/**
 * Seed 000's API (its FastAPI server) at its paths: `GET /orders` answers the orders as a JSON
 * array of rows (in order-id order; `status`, `page` and `pageSize` narrow it, and the
 * `X-Total-Count` header tells how many match), `GET /orders/{order_id}` one order with its items.
 */
export function seed000OrderRoutes(repository: OrderRepository): Router {
  const router = Router();

  router.get('/orders', async (req, res) => {
    const { status, page, pageSize } = parse(listQuery, query(req));
    const { orders, total } = await repository.listOrders({ status, page, pageSize });
    res.set('X-Total-Count', String(total));
    sendExactJson(res, 200, orders.map(orderRow));
  });

  router.get('/orders/:order_id', async (req, res) => {
    const { order_id: orderId } = parse(z.object({ order_id: idSchema }), req.params);
    sendExactJson(res, 200, orderWithItems(await findOrThrow(repository, orderId)));
  });

  return router;
}
