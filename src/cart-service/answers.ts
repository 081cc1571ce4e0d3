import { errorEnvelope, success, type ErrorEnvelope, type SuccessEnvelope } from '../lib/http';
import type { AppError } from '../errors';

/** What a route sends: an HTTP status and its JSON body. Stored as is for Idempotency-Key replays. */
export interface Answer {
  status: number;
  body: SuccessEnvelope<unknown> | ErrorEnvelope;
}

/** The body of a 202: the write is committed and its event will be published, Kafka has just not acknowledged it yet. */
export interface PendingEnvelope extends SuccessEnvelope<unknown> {
  publication: 'pending';
}

export function successAnswer(status: 200 | 201, message: string, data: unknown): Answer {
  return { status, body: success(message, data) };
}

export function errorAnswer(error: AppError): Answer {
  return { status: error.httpStatus, body: errorEnvelope(error) };
}

/** The 202 a successful answer becomes when Kafka has not acknowledged its event in time. */
export function pendingAnswer({ body }: Answer): Answer {
  if (!body.success) throw new Error('only a successful answer can be pending');
  const pending: PendingEnvelope = {
    ...body,
    message: `${body.message}; stored, its event is not yet acknowledged by Kafka and will be published`,
    publication: 'pending',
  };
  return { status: 202, body: pending };
}
