import { Router } from 'express';
import { z } from 'zod';
import { idSchema } from '../domain';
import { pagingFields, parse, query, success } from '../lib/http';
import type { NotificationRecord, NotificationRepository } from './notification-repository';

const MAX_PAGE_SIZE = 100;

const listSchema = z.object({ orderId: idSchema.optional(), ...pagingFields(20, MAX_PAGE_SIZE) });

const iso = (time: Date | null): string | null => time?.toISOString() ?? null;

function notificationView(notification: NotificationRecord) {
  const { delivery } = notification;
  return {
    ...notification,
    occurredAt: notification.occurredAt.toISOString(),
    createdAt: notification.createdAt.toISOString(),
    delivery: { ...delivery, nextAttemptAt: iso(delivery.nextAttemptAt), deliveredAt: iso(delivery.deliveredAt) },
  };
}

/** The notifications API: what was said about each order, newest first. */
export function notificationRoutes({ repository }: { repository: NotificationRepository }): Router {
  const router = Router();

  router.get('/notifications', async (req, res) => {
    const { orderId, page, pageSize } = parse(listSchema, query(req));
    const { notifications, total } = await repository.list({ orderId, limit: pageSize, offset: (page - 1) * pageSize });
    const about = orderId === undefined ? '' : ` of order ${orderId}`;
    res.json(success(`${notifications.length} of ${total} notifications${about}`, { notifications: notifications.map(notificationView), page, pageSize, total }));
  });

  return router;
}
