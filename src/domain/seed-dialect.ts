import { AppError } from '../errors';

/**
 * What the seed systems' clients send differently from the main API (seed 001's README): ids
 * of digits only, which its cart turned into `ORD-<digits>`, and snake_case field names.
 */

/** A seed id of digits only (`"123"` or `123`) becomes `ORD-123`; anything else is left for the main validation. */
export function fromSeedOrderId(id: unknown): unknown {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return `ORD-${id}`;
  if (typeof id === 'string' && /^\s*\d+\s*$/.test(id)) return `ORD-${id.trim()}`;
  return id;
}

/**
 * `body` with each field spelled by one of its aliases renamed to the main API's name: with
 * `{ orderId: ['order_id'] }`, `{ order_id: "1" }` reads as `{ orderId: "1" }`. Two spellings of
 * one field with different values are refused (400) rather than one silently winning. Anything
 * but a JSON object is returned as is, for the main validation to refuse.
 */
export function withMainFieldNames(body: unknown, aliases: Record<string, readonly string[]>): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const renamed: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const [name, spellings] of Object.entries(aliases)) {
    const given = [name, ...spellings].filter((spelling) => renamed[spelling] !== undefined);
    const values = new Set(given.map((spelling) => JSON.stringify(renamed[spelling])));
    if (values.size > 1) {
      throw new AppError('VALIDATION_FAILED', `${given.join(' and ')} name the same field with different values; send one of them`, {
        fieldErrors: [{ field: name, message: `${given.join(' and ')} differ; send one of them` }],
      });
    }
    const [first] = given;
    if (first === undefined) continue;
    const value = renamed[first];
    for (const spelling of spellings) delete renamed[spelling];
    renamed[name] = value;
  }
  return renamed;
}
