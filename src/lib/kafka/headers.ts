import type { IHeaders } from 'kafkajs';

/** One record header as stored: its name and its bytes in base64 (a name may repeat; order is kept). */
export type StoredHeader = [name: string, base64: string];

function valuesOf(value: IHeaders[string]): Array<Buffer | string> {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Kafka headers as text; a header repeated on the record stays a list. */
export function headersAsText(headers: IHeaders | undefined): Record<string, string | string[]> {
  const text = (value: Buffer | string) => (Buffer.isBuffer(value) ? value.toString('utf8') : value);
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map(text) : text(value);
  }
  return result;
}

/** Headers without loss, as JSON can hold them (binary values and repeats included). */
export function storeHeaders(headers: IHeaders | undefined): StoredHeader[] {
  const stored: StoredHeader[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const one of valuesOf(value)) stored.push([name, (Buffer.isBuffer(one) ? one : Buffer.from(one, 'utf8')).toString('base64')]);
  }
  return stored;
}

/** Stored headers back as the bytes the record carried; a repeated name becomes a list again. */
export function restoreHeaders(stored: readonly StoredHeader[]): IHeaders {
  const headers: Record<string, Buffer[]> = {};
  for (const [name, base64] of stored) (headers[name] ??= []).push(Buffer.from(base64, 'base64'));
  return Object.fromEntries(Object.entries(headers).map(([name, values]) => [name, values.length === 1 ? values[0]! : values]));
}
