import { createHmac } from 'node:crypto';

/** Header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, keyed by WEBHOOK_SECRET. */
export const SIGNATURE_HEADER = 'X-Orderflow-Signature';
/** Header carrying the signing time in Unix seconds: a receiver refuses old ones to stop replays. */
export const TIMESTAMP_HEADER = 'X-Orderflow-Timestamp';
/** Header carrying the notification id: the same on every attempt, so a receiver can drop a repeat. */
export const NOTIFICATION_ID_HEADER = 'X-Orderflow-Notification-Id';

/**
 * The signature of a webhook body sent at `timestamp` (Unix seconds). The timestamp is signed
 * with the body, so a captured request cannot be replayed later under a fresh timestamp.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** The headers of one attempt to deliver notification `id` with `body`, signed at `now`. */
export function webhookHeaders({ secret, id, body, now }: { secret: string; id: string; body: string; now: Date }): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
    [TIMESTAMP_HEADER]: String(timestamp),
    [NOTIFICATION_ID_HEADER]: id,
  };
}
