/**
 * JSON Schemas of the order requests, generated from the zod schemas that validate them, so an
 * OpenAPI document states exactly what the service accepts and cannot drift from it. Where a
 * rule is code (money, dates, statuses, trimmed ids), its zod schema carries the JSON Schema
 * that states it in its metadata.
 */
import { z } from 'zod';
import { generateRequestSchema, newOrderSchema, statusUpdateSchema } from './order-schemas';

type JsonSchema = Record<string, unknown>;

/**
 * The schema of what a request may send (zod's input side). A pattern given in metadata is the
 * whole rule for its string, so the length bounds zod derives from checks that run after
 * trimming are dropped: they would count the blanks the service trims away.
 */
function requestSchema(schema: z.ZodType): JsonSchema {
  const generated = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    override({ zodSchema, jsonSchema }) {
      if (typeof z.globalRegistry.get(zodSchema)?.pattern === 'string') {
        delete jsonSchema.minLength;
        delete jsonSchema.maxLength;
      }
    },
  }) as JsonSchema;
  // The document around it says which dialect it is written in.
  delete generated.$schema;
  return generated;
}

/** The create-order body in its short form `{ orderId, numItems }`: any body without `items`. */
export const GENERATE_ORDER_REQUEST_JSON_SCHEMA: JsonSchema = { ...requestSchema(generateRequestSchema), not: { required: ['items'] } };

/** A full new order as a create-order body: any body with `items`. */
export const NEW_ORDER_JSON_SCHEMA: JsonSchema = requestSchema(newOrderSchema);

/** The update-order body. */
export const STATUS_UPDATE_JSON_SCHEMA: JsonSchema = requestSchema(statusUpdateSchema);
