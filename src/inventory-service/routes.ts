import { Router } from 'express';
import { z } from 'zod';
import { idSchema } from '../domain';
import { AppError } from '../errors';
import { pagingFields, parse, query, success } from '../lib/http';
import type { InventoryRepository, StockRecord } from './inventory-repository';

/** Most units one item may be stocked with: PostgreSQL's integer, less room for what orders hold. */
export const MAX_STOCK = 1_000_000_000;
export const MAX_PAGE_SIZE = 100;

const setStockSchema = z.strictObject(
  {
    available: z
      // Fractions arrive as their exact decimal text (see readJsonNumber), so the value is not echoed: 2.5 would read as "2.5".
      .number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a whole number') })
      .int({ error: 'must be a whole number', abort: true })
      .min(0, 'must be at least 0')
      .max(MAX_STOCK, `must be at most ${MAX_STOCK}`),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `has unknown fields: ${issue.keys.join(', ')}` : 'must be a JSON object { "available": <whole number> }') },
);

const itemParams = z.object({ itemId: idSchema });
const listSchema = z.object(pagingFields(20, MAX_PAGE_SIZE));

function stockView(stock: StockRecord) {
  return { itemId: stock.itemId, available: stock.available, reserved: stock.reserved, updatedAt: stock.updatedAt.toISOString() };
}

/** The stock API: set what can be reserved, read what is available and reserved. */
export function inventoryRoutes({ repository }: { repository: InventoryRepository }): Router {
  const router = Router();

  router.put('/inventory/:itemId', async (req, res) => {
    const { itemId } = parse(itemParams, req.params);
    const { available } = parse(setStockSchema, req.body, 'body');
    const stock = await repository.setAvailable(itemId, available);
    res.json(success(`${itemId}: ${stock.available} available, ${stock.reserved} reserved`, stockView(stock)));
  });

  router.get('/inventory/:itemId', async (req, res) => {
    const { itemId } = parse(itemParams, req.params);
    const stock = await repository.stockOf(itemId);
    if (!stock) throw new AppError('NOT_FOUND', `item '${itemId}' has no stock: it was never set`);
    res.json(success(`${itemId}: ${stock.available} available, ${stock.reserved} reserved`, stockView(stock)));
  });

  router.get('/inventory', async (req, res) => {
    const { page, pageSize } = parse(listSchema, query(req));
    const { items, total } = await repository.listStock({ limit: pageSize, offset: (page - 1) * pageSize });
    res.json(success(`${items.length} of ${total} items`, { items: items.map(stockView), page, pageSize, total }));
  });

  router.get('/reservations/:orderId', async (req, res) => {
    const { orderId } = parse(z.object({ orderId: idSchema }), req.params);
    const reservation = await repository.reservationOf(orderId);
    if (!reservation) throw new AppError('NOT_FOUND', `no reservation for order '${orderId}': the inventory service has not seen it`);
    res.json(success(`order ${orderId}: ${reservation.state}`, reservation));
  });

  return router;
}
