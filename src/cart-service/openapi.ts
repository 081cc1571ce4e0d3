import { MAX_ITEMS, ORDER_STATUSES, ORDER_TRANSITIONS } from '../domain';
// Not through the domain's index: generating them costs start-up time that only this document needs.
import { GENERATE_ORDER_REQUEST_JSON_SCHEMA, NEW_ORDER_JSON_SCHEMA, STATUS_UPDATE_JSON_SCHEMA } from '../domain/request-json-schemas';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency';
import { withApiKeySecurity } from '../lib/access';
import { CART_ACCESS_POLICY } from './access-policy';

/** The lifecycle table in words, e.g. "confirmed -> paid | processing | shipped | cancelled". */
const LIFECYCLE_MOVES = Object.entries(ORDER_TRANSITIONS)
  .filter(([, targets]) => targets.length > 0)
  .map(([from, targets]) => `${from} -> ${targets.join(' | ')}`)
  .join('; ');

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, ...json(ref('ErrorEnvelope')) });
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe (draft-ietf-httpapi-idempotency-key-header): a repeat with the same key and body gets the first answer again ' +
    '(status and body; a 201/200 whose event is still unpublished answers 202), the same key with another body gets 422. ' +
    'Requests with one key are answered one after the other. Keys are kept IDEMPOTENCY_TTL (24 h by default).',
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN, examples: ['"8e03978e-40d5-43e8-bc93-6894a57f9324"'] },
};
const pending = (what: string) => ({
  description: `${what} stored, but Kafka has not acknowledged its event within PUBLISH_TIMEOUT_MS; the outbox relay will publish it.`,
  ...json(ref('PendingEnvelope')),
});
const keyReused = error('The Idempotency-Key was first used with another request body (or endpoint).');
const outcomeUnknown = error('The database connection broke while committing and the outcome could not be learned; repeat the request with the same Idempotency-Key.');
const unavailable = {
  description: 'Kafka, the schema registry or the database is unavailable; nothing was stored or published. Retry after the Retry-After header.',
  headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } } },
  ...json(ref('ErrorEnvelope')),
};

const ORDER_FIELDS = ['orderId', 'customerId', 'orderDate', 'items', 'totalAmount', 'currency', 'status'];
const ORDER_PROPERTIES = {
  orderId: { type: 'string', minLength: 1, examples: ['ORDER-001'] },
  customerId: { type: 'string', minLength: 1 },
  orderDate: { type: 'string', format: 'date-time' },
  items: { type: 'array', minItems: 1, maxItems: MAX_ITEMS, items: ref('OrderItem') },
  totalAmount: ref('Money'),
  currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'Active ISO 4217 code.' },
  status: ref('OrderStatus'),
};

/**
 * The cart service's OpenAPI 3.1 document, served at /docs (Swagger UI) and /docs/openapi.json.
 * The integration tests check every response they get against it.
 */
const DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Orderflow cart service',
    version: '1.0.0',
    description:
      'The producer API: validates orders and publishes them to Kafka as Avro events (Confluent wire format). ' +
      'Writes go through a transactional outbox. A 201/200 means the write is committed and its event acknowledged by Kafka; ' +
      'a 202 that it is committed and its event will be published; a 503 that nothing was written. ' +
      'Money is exact and travels as strings with 2 decimals.',
  },
  servers: [{ url: 'http://localhost:8000' }],
  paths: {
    '/api/create-order': {
      post: {
        summary: 'Create an order and publish OrderCreated',
        description: 'Either `{ orderId, numItems }` (the rest is generated) or a full order (validated; status pending or absent).',
        parameters: [idempotencyKey],
        requestBody: {
          required: true,
          ...json({ oneOf: [ref('GenerateOrderRequest'), ref('NewOrder')] }),
        },
        responses: {
          '201': { description: 'Created and acknowledged by Kafka.', ...json(ref('OrderEnvelope')) },
          '202': pending('Created and'),
          '400': error('Invalid body (every broken field is listed in errors), malformed JSON, or a malformed Idempotency-Key.'),
          '409': error('An order with this id already exists.'),
          '413': error('The body is larger than the service accepts.'),
          '415': error('The body is not application/json.'),
          '422': keyReused,
          '503': unavailable,
          '504': outcomeUnknown,
        },
      },
    },
    '/api/update-order': {
      put: {
        summary: 'Move an order to a new status and publish OrderStatusUpdated',
        description: `The moves the lifecycle allows: ${LIFECYCLE_MOVES}. Any other move answers 409.`,
        parameters: [idempotencyKey],
        requestBody: { required: true, ...json(ref('StatusUpdateRequest')) },
        responses: {
          '200': { description: 'Updated and acknowledged by Kafka; data is the order in its new status.', ...json(ref('OrderEnvelope')) },
          '202': pending('Updated and'),
          '400': error('Invalid body, malformed JSON, or a malformed Idempotency-Key.'),
          '404': error('No order with this id is known.'),
          '409': error('The lifecycle does not allow this transition; the message names both states.'),
          '413': error('The body is larger than the service accepts.'),
          '415': error('The body is not application/json.'),
          '422': keyReused,
          '503': unavailable,
          '504': outcomeUnknown,
        },
      },
    },
    '/api/orders/{orderId}': {
      get: {
        summary: 'The order as the cart service knows it, and whether its latest event is published',
        parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string', minLength: 1 } }],
        responses: {
          '200': { description: 'The order with its latest event.', ...json(ref('CartOrderEnvelope')) },
          '404': error('No order with this id is known.'),
          '503': unavailable,
        },
      },
    },
    '/health': {
      get: {
        summary: 'Liveness',
        responses: { '200': { description: 'The process is alive.', ...json(ref('HealthEnvelope')) } },
      },
    },
    '/ready': {
      get: {
        summary: 'Readiness: Kafka, the schema registry and PostgreSQL reachable',
        responses: {
          '200': { description: 'Every dependency is reachable.', ...json(ref('ReadyEnvelope')) },
          '503': { description: 'At least one dependency is unreachable.', ...json(ref('NotReadyEnvelope')) },
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics',
        responses: { '200': { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
  },
  components: {
    schemas: {
      Money: { type: 'string', pattern: '^\\d+(\\.\\d{1,2})?$', examples: ['59.97'], description: 'Exact amount, at most 2 decimals.' },
      OrderStatus: { type: 'string', enum: [...ORDER_STATUSES] },
      OrderItem: {
        type: 'object',
        required: ['itemId', 'quantity', 'price'],
        properties: { itemId: { type: 'string', minLength: 1 }, quantity: { type: 'integer', minimum: 1 }, price: ref('Money') },
      },
      Order: { type: 'object', required: ORDER_FIELDS, additionalProperties: false, properties: ORDER_PROPERTIES },
      OrderSummary: {
        type: 'object',
        required: ['orderId', 'status'],
        additionalProperties: false,
        description: 'An order created before the cart service kept whole orders: only its id and status are known.',
        properties: { orderId: ORDER_PROPERTIES.orderId, status: ref('OrderStatus') },
      },
      KnownOrder: { oneOf: [ref('Order'), ref('OrderSummary')] },
      LastEvent: {
        type: 'object',
        required: ['eventId', 'eventType', 'published'],
        additionalProperties: false,
        description: 'The event of the latest write; published is false while it waits in the outbox. Absent for orders older than the outbox.',
        properties: { eventId: { type: 'string', format: 'uuid' }, eventType: { enum: ['OrderCreated', 'OrderStatusUpdated'] }, published: { type: 'boolean' } },
      },
      CartOrder: {
        oneOf: [
          { type: 'object', required: ORDER_FIELDS, additionalProperties: false, properties: { ...ORDER_PROPERTIES, lastEvent: ref('LastEvent') } },
          {
            type: 'object',
            required: ['orderId', 'status'],
            additionalProperties: false,
            properties: { orderId: ORDER_PROPERTIES.orderId, status: ref('OrderStatus'), lastEvent: ref('LastEvent') },
          },
        ],
      },
      // Generated from the zod schemas that validate the requests (src/domain/request-json-schemas.ts).
      NewOrder: NEW_ORDER_JSON_SCHEMA,
      GenerateOrderRequest: { ...GENERATE_ORDER_REQUEST_JSON_SCHEMA, examples: [{ orderId: 'ORDER-001', numItems: 3 }] },
      StatusUpdateRequest: { ...STATUS_UPDATE_JSON_SCHEMA, examples: [{ orderId: 'ORDER-001', status: 'confirmed' }] },
      OrderEnvelope: {
        type: 'object',
        required: ['success', 'message', 'data'],
        additionalProperties: false,
        properties: { success: { const: true }, message: { type: 'string' }, data: ref('KnownOrder') },
      },
      PendingEnvelope: {
        type: 'object',
        required: ['success', 'message', 'data', 'publication'],
        additionalProperties: false,
        properties: { success: { const: true }, message: { type: 'string' }, data: ref('KnownOrder'), publication: { enum: ['pending', 'held'], description: 'pending: the relay will publish it; held: Kafka refuses it (see cart_outbox_parked in the README).' } },
      },
      CartOrderEnvelope: {
        type: 'object',
        required: ['success', 'message', 'data'],
        additionalProperties: false,
        properties: {
          success: { const: true },
          message: { type: 'string' },
          data: ref('CartOrder'),
        },
      },
      ErrorEnvelope: {
        type: 'object',
        required: ['success', 'code', 'message'],
        additionalProperties: false,
        properties: {
          success: { const: false },
          code: { type: 'string', examples: ['VALIDATION_FAILED'] },
          message: { type: 'string' },
          errors: {
            type: 'array',
            items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
      HealthEnvelope: {
        type: 'object',
        required: ['success', 'message', 'data'],
        properties: { success: { const: true }, message: { type: 'string' }, data: { type: 'object', properties: { status: { const: 'ok' } } } },
      },
      DependencyStates: {
        type: 'object',
        properties: {
          kafka: { type: 'string' },
          registry: { type: 'string' },
          database: { type: 'string' },
          relay: { enum: ['leader', 'standby', 'disconnected'], description: 'Whether this instance publishes the outbox (one leader per database) or stands by.' },
        },
        description: '"up", or "down: <reason>" per dependency, and the outbox relay role.',
      },
      ReadyEnvelope: {
        type: 'object',
        required: ['success', 'message', 'data'],
        properties: { success: { const: true }, message: { type: 'string' }, data: ref('DependencyStates') },
      },
      NotReadyEnvelope: {
        type: 'object',
        required: ['success', 'code', 'message', 'data'],
        properties: { success: { const: false }, code: { const: 'DEPENDENCY_UNAVAILABLE' }, message: { type: 'string' }, data: ref('DependencyStates') },
      },
    },
  },
} as const;

/** The document as served: its protected operations declare the API key they need (see access-policy.ts). */
export const OPENAPI_DOCUMENT = withApiKeySecurity(DOCUMENT, CART_ACCESS_POLICY);
