import { Router } from 'express';
import { z } from 'zod';
import { idSchema } from '../domain';
import { fromSeedOrderId } from '../domain/seed-dialect';
import { exactNumber, parse, query, sendExactJson } from '../lib/http';
import type { OrderRepository } from './order-repository';
import { findOrThrow, orderIdsPage } from './order-reads';

/** An order id as seed 001's clients send it: a digits-only id means `ORD-<digits>`. */
const seedOrderId = z.unknown().transform(fromSeedOrderId).pipe(idSchema);

/**
 * Seed 001's order-service API at its unprefixed paths, in its shapes (clients written for it
 * work unchanged): `GET /order-details?orderId=` answers `{ order, shippingCost }` with money as
 * JSON numbers (exact: written from the stored decimals, never through a double), and
 * `GET /getAllOrderIdsFromTopic?topicName=` answers `{ topicName, orderIds }` (plus `nextAfter`
 * when another page follows, as on the main API). Refusals keep the main API's error envelope.
 */
export function seed001OrderRoutes(repository: OrderRepository): Router {
  const router = Router();

  router.get('/order-details', async (req, res) => {
    const { orderId } = parse(z.object({ orderId: seedOrderId }), query(req));
    const order = await findOrThrow(repository, orderId);
    sendExactJson(res, 200, {
      order: {
        orderId: order.orderId,
        customerId: order.customerId,
        orderDate: order.orderDate,
        items: order.items.map((item) => ({ itemId: item.itemId, quantity: item.quantity, price: exactNumber(item.price) })),
        totalAmount: exactNumber(order.totalAmount),
        currency: order.currency,
        status: order.status,
      },
      shippingCost: exactNumber(order.shippingCost),
    });
  });

  router.get('/getAllOrderIdsFromTopic', async (req, res) => {
    res.json(await orderIdsPage(repository, query(req)));
  });

  return router;
}
