import { IDENTIFIER_PATTERN, MAX_ID_LENGTH } from '../domain';
import { envelope, errorResponse, json, OPERATIONS_PATHS, OPERATIONS_SCHEMAS, page, pagingParameters, ref } from '../lib/http/openapi-parts';
import { MAX_PAGE_SIZE, MAX_STOCK } from './routes';
import { withApiKeySecurity } from '../lib/access';
import { INVENTORY_ACCESS_POLICY } from './access-policy';

const idParam = (name: 'itemId' | 'orderId', example: string) => ({
  name,
  in: 'path',
  required: true,
  description: `1 to ${MAX_ID_LENGTH} characters without control characters; blanks around it are trimmed away; otherwise 400.`,
  schema: { type: 'string', pattern: IDENTIFIER_PATTERN },
  example,
});

const units = { type: 'integer', minimum: 0 };

/** The inventory service's OpenAPI 3.1 document, served at /docs (Swagger UI) and /docs/openapi.json. */
const DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Orderflow inventory service',
    version: '1.0.0',
    description:
      'Stock per item. Each OrderCreated on the order events topic reserves every line of the order or none (InventoryReserved or InventoryRejected on the ' +
      'inventory events topic); a status update to cancelled releases the reservation (InventoryReleased), one to shipped takes the units out of stock (InventoryCommitted).',
  },
  servers: [{ url: 'http://localhost:8002' }],
  paths: {
    '/api/inventory/{itemId}': {
      put: {
        summary: "Set the units of an item free to reserve (what orders hold stays as it is)",
        parameters: [idParam('itemId', 'ITEM-001')],
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            required: ['available'],
            additionalProperties: false,
            properties: { available: { type: 'integer', minimum: 0, maximum: MAX_STOCK } },
          }),
        },
        responses: {
          '200': { description: 'The item with its new stock.', ...json(envelope(ref('Stock'))) },
          '400': errorResponse('available is missing, not a whole number from 0 to the maximum, or the body has other fields; or the item id is malformed.'),
          '409': errorResponse('available and what orders hold of the item would together pass the most an item can hold (2147483647).'),
        },
      },
      get: {
        summary: "An item's stock",
        parameters: [idParam('itemId', 'ITEM-001')],
        responses: {
          '200': { description: 'The item.', ...json(envelope(ref('Stock'))) },
          '400': errorResponse('The item id is malformed.'),
          '404': errorResponse('The item was never stocked (an order for it is refused).'),
        },
      },
    },
    '/api/inventory': {
      get: {
        summary: 'Every stocked item, by item id, a page at a time',
        parameters: pagingParameters(MAX_PAGE_SIZE),
        responses: {
          '200': { description: 'A page of items.', ...json(page('items', ref('Stock'))) },
          '400': errorResponse('page or pageSize is not a whole number in range.'),
        },
      },
    },
    '/api/reservations/{orderId}': {
      get: {
        summary: "An order's reservation: what it asked for, and what became of it",
        parameters: [idParam('orderId', 'ORDER-001')],
        responses: {
          '200': { description: 'The reservation.', ...json(envelope(ref('Reservation'))) },
          '400': errorResponse('The order id is malformed.'),
          '404': errorResponse('The inventory service has not seen the order.'),
        },
      },
    },
    ...OPERATIONS_PATHS,
  },
  components: {
    schemas: {
      Stock: {
        type: 'object',
        required: ['itemId', 'available', 'reserved', 'updatedAt'],
        properties: {
          itemId: { type: 'string' },
          available: { ...units, description: 'Units free to reserve.' },
          reserved: { ...units, description: 'Units held by reserved orders, until they are cancelled or shipped.' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      Reservation: {
        type: 'object',
        required: ['orderId', 'state', 'lines'],
        properties: {
          orderId: { type: 'string' },
          state: { type: 'string', enum: ['reserved', 'rejected', 'released', 'committed'] },
          lines: {
            type: 'array',
            description: 'What the order asked for, one line per item (summed), by item id.',
            items: { type: 'object', required: ['itemId', 'quantity'], properties: { itemId: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } } },
          },
        },
      },
      ...OPERATIONS_SCHEMAS,
    },
  },
} as const;

/** The document as served: its protected operations declare the API key they need (see access-policy.ts). */
export const OPENAPI_DOCUMENT = withApiKeySecurity(DOCUMENT, INVENTORY_ACCESS_POLICY);
