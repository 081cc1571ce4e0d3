import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger';
import type { Metrics } from '../lib/metrics';
import { backoffDelay, type RetryPolicy } from '../lib/retry';
import type { NotificationRecord } from './notification-repository';
import { nextStep, WEBHOOK_RETRY, MAX_WEBHOOK_ATTEMPTS } from './webhook-policy';
import type { WebhookSender } from './webhook-sender';
import type { DeliveryResult, WebhookQueue } from './webhook-queue';

/** Notifications claimed (and POSTed concurrently) per round. */
const BATCH_SIZE = 16;

/**
 * Shortest pause between rounds that found less than a batch: rows due but held by another
 * instance (mid-POST) must not make this one ask the database in a tight loop.
 */
const MIN_PAUSE_MS = 100;

/** Backoff of the dispatcher itself when the database fails (a round is retried, nothing lost). */
const OUTAGE_RETRY: RetryPolicy = { initialMs: 200, maxMs: 30_000 };

export interface WebhookDispatcherOptions {
  queue: WebhookQueue;
  sender: WebhookSender;
  metrics: Metrics;
  logger: Logger;
  /** Safety net: how often it looks for due notifications without being woken (another instance stored them, or a retry came due). */
  pollIntervalMs: number;
  /** Backoff between attempts of one notification (tests shorten it). */
  retry?: RetryPolicy;
  maxAttempts?: number;
}

export interface WebhookDispatcher {
  start(): void;
  /** New notifications were stored: look for due ones now. */
  wake(): void;
  /** Finishes the round in hand (its results recorded) and stops. */
  stop(): Promise<void>;
}

/** The JSON body a receiver gets: the notification, without its delivery bookkeeping. */
export function webhookBody(notification: NotificationRecord): string {
  const { id, orderId, kind, message, details, occurredAt, createdAt, source } = notification;
  return JSON.stringify({ id, orderId, kind, message, details, occurredAt: occurredAt.toISOString(), createdAt: createdAt.toISOString(), sourceEventId: source.eventId });
}

/**
 * POSTs pending notifications to the webhook receiver: in rounds of due rows claimed with
 * SELECT ... FOR UPDATE SKIP LOCKED (so several instances share the work and never send one row
 * at the same time), woken when notifications are stored and by a slow poll, and sleeping until
 * the next retry falls due. A row is marked delivered only after a 2xx, and only once; a crash
 * between the receiver's 2xx and that mark sends it again, which the notification id header lets
 * the receiver drop.
 */
export function createWebhookDispatcher({ queue, sender, metrics, logger, pollIntervalMs, retry = WEBHOOK_RETRY, maxAttempts = MAX_WEBHOOK_ATTEMPTS }: WebhookDispatcherOptions): WebhookDispatcher {
  let stopped = false;
  let woken = false;
  let interrupt: AbortController | undefined;
  let loop: Promise<void> | undefined;

  async function deliver(due: ReadonlyArray<NotificationRecord>): Promise<DeliveryResult[]> {
    return Promise.all(
      due.map(async (notification) => {
        const attempt = await sender.send(notification.id, webhookBody(notification));
        metrics.webhookRequestDuration.observe({ outcome: attempt.outcome }, attempt.durationSeconds);
        const step = nextStep(notification.delivery.attempts + 1, attempt.outcome, { policy: retry, maxAttempts });
        return { id: notification.id, step, error: attempt.error };
      }),
    );
  }

  function count(results: readonly DeliveryResult[]): void {
    for (const { id, step, error } of results) {
      const outcome = step.state === 'pending' ? 'failed' : step.state;
      metrics.webhookDeliveries.inc({ outcome });
      if (step.state === 'delivered') logger.debug({ notificationId: id }, 'webhook delivered');
      else if (step.state === 'gave_up') logger.warn({ notificationId: id, error }, 'webhook given up');
      else logger.info({ notificationId: id, error, retryInMs: step.retryInMs }, 'webhook failed; will retry');
    }
  }

  /** Sleeps `ms`, or less when woken or stopped. */
  async function pause(ms: number): Promise<void> {
    if (woken || stopped) return;
    interrupt = new AbortController();
    await sleep(ms, undefined, { signal: interrupt.signal }).catch(() => undefined);
    interrupt = undefined;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      woken = false;
      try {
        // Counted only once the transaction that recorded them committed: the platform's own accounting.
        const results = await queue.deliverDue(BATCH_SIZE, deliver);
        count(results);
        failures = 0;
        if (results.length === BATCH_SIZE) continue;
        const due = await queue.nextDueAt();
        await pause(due === undefined ? pollIntervalMs : Math.min(pollIntervalMs, Math.max(MIN_PAUSE_MS, due.getTime() - Date.now())));
      } catch (error) {
        const delayMs = backoffDelay(failures, OUTAGE_RETRY);
        failures += 1;
        logger.warn({ err: error, delayMs }, 'webhook round failed; trying again');
        await pause(delayMs);
      }
    }
  }

  return {
    start() {
      loop ??= run();
    },
    wake() {
      woken = true;
      interrupt?.abort();
    },
    async stop() {
      stopped = true;
      interrupt?.abort();
      await loop;
    },
  };
}
