import { IDENTIFIER_PATTERN, MAX_ID_LENGTH, ORDER_STATUSES } from '../domain';
import { errorResponse as error, json, OPERATIONS_PATHS, OPERATIONS_SCHEMAS, page, pagingParameters, ref } from '../lib/http/openapi-parts';
import { NOTIFICATION_KINDS } from './notification-drafts';
import { MAX_WEBHOOK_ATTEMPTS } from './webhook-policy';
import { NOTIFICATION_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature';
import { withApiKeySecurity } from '../lib/access';
import { NOTIFICATION_ACCESS_POLICY } from './access-policy';

const time = { type: 'string', format: 'date-time' };
const stockLines = { type: 'array', items: { type: 'object', required: ['itemId', 'quantity'], properties: { itemId: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } } } };

/**
 * The notification service's OpenAPI 3.1 document, served at /docs (Swagger UI) and
 * /docs/openapi.json; its `webhooks` describe what a WEBHOOK_URL receiver gets.
 */
const DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Orderflow notification service',
    version: '1.0.0',
    description:
      'One notification per meaningful event of the order and inventory topics (order placed, stock reserved, out of stock, stock released, ' +
      'stock committed, status changed), stored once per event id, readable by order. With WEBHOOK_URL set, each new notification is also POSTed ' +
      'there, signed with WEBHOOK_SECRET (see webhooks).',
  },
  servers: [{ url: 'http://localhost:8003' }],
  paths: {
    '/api/notifications': {
      get: {
        summary: 'Notifications, newest first, paged, optionally of one order',
        description:
          'Sorted newest first by the time of the event they tell of (occurredAt), then by id. ' +
          "occurredAt is the producing service's clock, so an inventory answer shows after the order event it answers.",
        parameters: [
          {
            name: 'orderId',
            in: 'query',
            required: false,
            description: `Only this order's notifications: 1 to ${MAX_ID_LENGTH} characters without control characters; blanks around it are trimmed away.`,
            schema: { type: 'string', pattern: IDENTIFIER_PATTERN },
            example: 'ORDER-001',
          },
          ...pagingParameters(100),
        ],
        responses: {
          '200': {
            description: 'One page of notifications and how many there are in all.',
            ...json(page('notifications', ref('Notification'))),
          },
          '400': error('orderId is blank, too long or holds a control character, or page / pageSize is not a whole number in range.'),
        },
      },
    },
    ...OPERATIONS_PATHS,
  },
  webhooks: {
    notification: {
      post: {
        summary: 'A new notification, POSTed to WEBHOOK_URL',
        description:
          `The signature is \`sha256=\` and the hex HMAC-SHA256, keyed by WEBHOOK_SECRET, of the ${TIMESTAMP_HEADER} value, a dot, and the raw body: ` +
          'recompute it over the bytes received and compare in constant time, and refuse timestamps far from now. ' +
          'A 2xx answer delivers the notification. 408, 429, 3xx (redirects are not followed), 5xx, no answer within WEBHOOK_TIMEOUT_MS or a broken ' +
          `connection are retried with exponential backoff (about 1 s doubling to 1 h, ±20%), ${MAX_WEBHOOK_ATTEMPTS} attempts in all (about 12 hours); ` +
          'any other 4xx is taken as a refusal for good and not retried. Notifications are not sent in any particular order. ' +
          `A notification is marked delivered once, but a crash between your 2xx and that mark sends it again: drop a repeated ${NOTIFICATION_ID_HEADER}.`,
        parameters: [
          { name: SIGNATURE_HEADER, in: 'header', required: true, schema: { type: 'string', pattern: '^sha256=[0-9a-f]{64}$' } },
          { name: TIMESTAMP_HEADER, in: 'header', required: true, description: 'When this attempt was signed, in Unix seconds.', schema: { type: 'string', pattern: '^[0-9]+$' } },
          { name: NOTIFICATION_ID_HEADER, in: 'header', required: true, description: 'The notification id, the same on every attempt.', schema: { type: 'string', format: 'uuid' } },
        ],
        requestBody: { required: true, ...json(ref('WebhookNotification')) },
        responses: {
          '2XX': { description: 'Delivered: it is not sent again (short of a crash before the service recorded it).' },
          default: { description: 'Not delivered: retried, unless a 4xx other than 408 and 429.' },
        },
      },
    },
  },
  components: {
    schemas: {
      Notification: {
        type: 'object',
        required: ['id', 'orderId', 'kind', 'message', 'details', 'occurredAt', 'createdAt', 'source', 'delivery'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          orderId: { type: 'string' },
          kind: ref('NotificationKind'),
          message: { type: 'string', examples: ['Order ORDER-1 is out of stock: ITEM-003 (asked 4, 1 available)'] },
          details: ref('NotificationDetails'),
          occurredAt: { ...time, description: 'When the event it tells of happened.' },
          createdAt: { ...time, description: 'When the notification was stored.' },
          source: {
            type: 'object',
            description: 'The event it tells of, and where it was read.',
            required: ['eventId', 'eventType', 'topic', 'partition', 'offset'],
            properties: {
              eventId: { type: 'string', format: 'uuid' },
              eventType: { type: 'string', examples: ['OrderCreated', 'InventoryRejected'] },
              topic: { type: 'string' },
              partition: { type: 'integer', minimum: 0 },
              offset: { type: 'string', pattern: '^\\d+$' },
            },
          },
          delivery: {
            type: 'object',
            description:
              'Its webhook: pending (to be tried at nextAttemptAt), delivered (at deliveredAt), gave_up (refused for good or out of attempts; lastError says why), ' +
              'webhooks_off (no WEBHOOK_URL when it was stored: never sent).',
            required: ['state', 'attempts', 'nextAttemptAt', 'lastError', 'deliveredAt'],
            properties: {
              state: { type: 'string', enum: ['pending', 'delivered', 'gave_up', 'webhooks_off'] },
              attempts: { type: 'integer', minimum: 0 },
              nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
              lastError: { type: ['string', 'null'] },
              deliveredAt: { type: ['string', 'null'], format: 'date-time' },
            },
          },
        },
      },
      WebhookNotification: {
        type: 'object',
        required: ['id', 'orderId', 'kind', 'message', 'details', 'occurredAt', 'createdAt', 'sourceEventId'],
        properties: {
          id: { type: 'string', format: 'uuid', description: `The same as the ${NOTIFICATION_ID_HEADER} header.` },
          orderId: { type: 'string' },
          kind: ref('NotificationKind'),
          message: { type: 'string' },
          details: ref('NotificationDetails'),
          occurredAt: time,
          createdAt: time,
          sourceEventId: { type: 'string', format: 'uuid' },
        },
      },
      NotificationKind: { type: 'string', enum: [...NOTIFICATION_KINDS] },
      NotificationDetails: {
        description:
          'By kind: order_placed the order (money as strings with 2 decimals); status_changed the new status; stock_reserved, stock_released and ' +
          'stock_committed the lines (causationEventId: the order event the inventory service answered); out_of_stock each short item.',
        oneOf: [
          {
            title: 'order_placed',
            type: 'object',
            required: ['customerId', 'orderDate', 'items', 'totalAmount', 'currency', 'status'],
            properties: {
              customerId: { type: 'string' },
              orderDate: time,
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['itemId', 'quantity', 'price'],
                  properties: { itemId: { type: 'string' }, quantity: { type: 'integer', minimum: 1 }, price: { type: 'string', pattern: '^\\d+\\.\\d{2}$' } },
                },
              },
              totalAmount: { type: 'string', pattern: '^\\d+\\.\\d{2}$' },
              currency: { type: 'string', pattern: '^[A-Z]{3}$' },
              status: { type: 'string', enum: [...ORDER_STATUSES] },
            },
          },
          { title: 'status_changed', type: 'object', required: ['status'], additionalProperties: false, properties: { status: { type: 'string', enum: [...ORDER_STATUSES] } } },
          {
            title: 'stock_reserved, stock_released, stock_committed',
            type: 'object',
            required: ['causationEventId', 'items'],
            additionalProperties: false,
            properties: { causationEventId: { type: 'string', format: 'uuid' }, items: stockLines },
          },
          {
            title: 'out_of_stock',
            type: 'object',
            required: ['causationEventId', 'shortItems'],
            additionalProperties: false,
            properties: {
              causationEventId: { type: 'string', format: 'uuid' },
              shortItems: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['itemId', 'requested', 'available'],
                  properties: { itemId: { type: 'string' }, requested: { type: 'integer', minimum: 1 }, available: { type: 'integer', minimum: 0 } },
                },
              },
            },
          },
        ],
      },
      ...OPERATIONS_SCHEMAS,
    },
  },
} as const;

/** The document as served: its protected operations declare the API key they need (see access-policy.ts). */
export const OPENAPI_DOCUMENT = withApiKeySecurity(DOCUMENT, NOTIFICATION_ACCESS_POLICY);
