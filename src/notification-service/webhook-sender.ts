import { outcomeOfStatus, type AttemptOutcome } from './webhook-policy';
import { webhookHeaders } from './webhook-signature';

/** Most characters of a failure kept as the notification's last_error. */
const MAX_ERROR_LENGTH = 300;

/** What one POST came to, and why when it did not deliver. */
export interface Attempt {
  outcome: AttemptOutcome;
  /** Why it did not deliver (the status and the start of the answer, or the network error); undefined when delivered. */
  error?: string;
  durationSeconds: number;
}

export interface WebhookSender {
  /** POSTs `body` (the notification as JSON) signed now; never rejects: a failure is an Attempt that says so. */
  send(id: string, body: string): Promise<Attempt>;
}

/** POSTs notifications to WEBHOOK_URL, each signed with WEBHOOK_SECRET, giving up on an answer after `timeoutMs`. */
export function createWebhookSender({ url, secret, timeoutMs, now = () => new Date() }: { url: string; secret: string; timeoutMs: number; now?: () => Date }): WebhookSender {
  return {
    async send(id, body) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: webhookHeaders({ secret, id, body, now: now() }),
          body,
          // A redirect would turn the POST into a GET without the body: answered as a failure instead.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Read to the end either way, so the connection can be reused.
        const answer = await response.text();
        const outcome = outcomeOfStatus(response.status);
        if (outcome === 'delivered') return { outcome, durationSeconds: seconds() };
        return { outcome, error: clip(`HTTP ${response.status}${answer.trim() === '' ? '' : `: ${answer.trim()}`}`), durationSeconds: seconds() };
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describe(error);
        return { outcome: 'failed', error: clip(reason), durationSeconds: seconds() };
      }
    },
  };
}

/** fetch's failures say "fetch failed" and keep the reason (ECONNREFUSED ...) in their cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

function clip(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
