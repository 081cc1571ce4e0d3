import type { Response } from 'express';
import { errorEnvelope, success, type ErrorEnvelope, type SuccessEnvelope } from '../lib/http';
import type { AppError } from '../errors';

/** What a route sends: an HTTP status and its JSON body. Stored as is for Idempotency-Key replays. */
export interface Answer {
  status: number;
  body: SuccessEnvelope<unknown> | ErrorEnvelope;
}

/** Sends an answer (the main API's, or a dialect's reshaping of one): its status and JSON body. */
export function sendAnswer(res: Response, { status, body }: { status: number; body: unknown }): void {
  res.status(status).json(body);
}

/**
 * The body of a 202: the write is committed and its event not yet acknowledged by Kafka —
 * pending (the relay will publish it) or held (Kafka refuses it; an operator must move it back).
 */
export interface PendingEnvelope extends SuccessEnvelope<unknown> {
  publication: 'pending' | 'held';
}

export function successAnswer(status: 200 | 201, message: string, data: unknown): Answer {
  return { status, body: success(message, data) };
}

export function errorAnswer(error: AppError): Answer {
  return { status: error.httpStatus, body: errorEnvelope(error) };
}

const PENDING_MESSAGES = {
  pending: 'stored, its event is not yet acknowledged by Kafka and will be published',
  held: 'stored, but Kafka refuses its event (larger than the topic accepts?): it is held in cart_outbox_parked until an operator moves it back',
} as const;

/** The 202 a successful answer becomes when Kafka has not acknowledged its event in time. */
export function pendingAnswer({ body }: Answer, publication: PendingEnvelope['publication']): Answer {
  if (!body.success) throw new Error('only a successful answer can be pending');
  const pending: PendingEnvelope = { ...body, message: `${body.message}; ${PENDING_MESSAGES[publication]}`, publication };
  return { status: 202, body: pending };
}
