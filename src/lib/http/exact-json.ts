import type { Response } from 'express';
import { LosslessNumber, stringify } from 'lossless-json';

/**
 * A decimal amount to be written as a JSON number token exactly as given: "150.00" goes out as
 * 150.00, never through a binary double that could round it. For the APIs whose clients expect
 * money as JSON numbers (the seed dialects); the main API sends money as strings.
 */
export function exactNumber(decimalText: string): LosslessNumber {
  return new LosslessNumber(decimalText);
}

/** Sends `body` as JSON, writing each {@link exactNumber} as the number token it holds. */
export function sendExactJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(stringify(body));
}
