import { IDENTIFIER_PATTERN, MAX_ID_LENGTH, ORDER_STATUSES } from '../domain';
import { RECORD_ID_PATTERN } from '../lib/consumer';
import { envelope, errorResponse as error, json, OPERATIONS_PATHS, OPERATIONS_SCHEMAS, ref } from '../lib/http/openapi-parts';
import { TOPIC_NAME } from '../lib/kafka';
import { EVENT_TYPES, INVENTORY_EVENT_TYPES } from '../lib/registry';
import { ORDER_STOCK_STATES } from './stock-state';
import { withApiKeySecurity } from '../lib/access';
import { ORDER_ACCESS_POLICY } from './access-policy';

const money = { type: 'string', pattern: '^-?\\d+\\.\\d{2}$', examples: ['59.97'] };
const stockState = { type: 'string', enum: [...ORDER_STOCK_STATES], description: "What the inventory service announced about the order's stock: awaiting (no answer yet), reserved, rejected, released (cancelled) or committed (shipped)." };
const orderIdParam = (where: 'query' | 'path') => ({
  name: 'orderId',
  in: where,
  required: true,
  description: `1 to ${MAX_ID_LENGTH} characters without control characters, well-formed Unicode; blanks around it are trimmed away; otherwise 400.`,
  schema: { type: 'string', pattern: IDENTIFIER_PATTERN },
  example: 'ORDER-001',
});

const recordIdParam = {
  name: 'recordId',
  in: 'path',
  required: true,
  description: 'A dead letter id, <topic>/<partition>/<offset>, URL-encoded (the slashes as %2F).',
  schema: { type: 'string', pattern: RECORD_ID_PATTERN },
  example: 'order-events/0/42',
};

/**
 * The order service's OpenAPI 3.1 document, served at /docs (Swagger UI) and /docs/openapi.json.
 */
const DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Orderflow order service',
    version: '1.0.0',
    description:
      'The query API over the orders the consumer persisted from Kafka. Money is exact and travels as strings with 2 decimals; ' +
      'shippingCost is 2% of totalAmount rounded half-up to cents.',
  },
  servers: [{ url: 'http://localhost:8001' }],
  paths: {
    '/api/order-details': {
      get: {
        summary: 'One order with its shipping cost',
        parameters: [orderIdParam('query')],
        responses: {
          '200': { description: 'The order.', ...json(envelope(ref('OrderDetails'))) },
          '400': error('orderId is missing, blank, longer than 64 characters, or holds a control character (e.g. NUL) or a lone surrogate.'),
          '404': error('No order with this id has been consumed.'),
        },
      },
    },
    '/api/getAllOrderIdsFromTopic': {
      get: {
        summary: 'Ids of the orders consumed from a topic',
        description:
          'Sorted by order id, in pages of `pageSize` (1000 by default). When more ids follow, `nextAfter` holds the last id of the page: ' +
          'ask again with `after` set to it.',
        parameters: [
          { name: 'topicName', in: 'query', required: true, schema: { type: 'string', pattern: `^${TOPIC_NAME}$` }, example: 'order-events' },
          { name: 'after', in: 'query', required: false, schema: { type: 'string', minLength: 1 }, description: 'Start after this order id (the previous page\'s nextAfter).' },
          { name: 'pageSize', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 10_000, default: 1_000 } },
        ],
        responses: {
          '200': {
            description: 'One page of order ids, sorted.',
            ...json(
              envelope({
                type: 'object',
                required: ['topicName', 'orderIds'],
                properties: {
                  topicName: { type: 'string' },
                  orderIds: { type: 'array', items: { type: 'string' } },
                  nextAfter: { type: 'string', description: 'Present when more ids follow: pass it as `after`.' },
                },
              }),
            ),
          },
          '400': error('topicName is missing or not a valid Kafka topic name (control characters and lone surrogates included), or after / pageSize is malformed.'),
        },
      },
    },
    '/api/orders': {
      get: {
        summary: 'Orders, paged, optionally filtered by status',
        parameters: [
          { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: [...ORDER_STATUSES] } },
          { name: 'stockState', in: 'query', required: false, description: "Only orders whose stock is in this state ('awaiting': the inventory service has not answered yet).", schema: stockState },
          { name: 'page', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 } },
          { name: 'pageSize', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        ],
        responses: {
          '200': {
            description: 'One page of orders, sorted by order id.',
            ...json(
              envelope({
                type: 'object',
                required: ['orders', 'page', 'pageSize', 'total'],
                properties: {
                  orders: { type: 'array', items: ref('OrderSummary') },
                  page: { type: 'integer' },
                  pageSize: { type: 'integer' },
                  total: { type: 'integer' },
                },
              }),
            ),
          },
          '400': error('A parameter is invalid (unknown status, page or pageSize not a whole number in range).'),
        },
      },
    },
    '/api/orders/{orderId}': {
      get: {
        summary: 'One order with its shipping cost',
        parameters: [orderIdParam('path')],
        responses: {
          '200': { description: 'The order.', ...json(envelope(ref('OrderDetails'))) },
          '400': error('orderId is blank, longer than 64 characters, or holds a control character (e.g. NUL) or a lone surrogate.'),
          '404': error('No order with this id has been consumed.'),
        },
      },
    },
    '/api/orders/{orderId}/events': {
      get: {
        summary: "One order's timeline: every event applied, refused or parked, then the inventory events about its stock, each in partition-offset order",
        description:
          'Refused events stay listed for DEDUP_WINDOW; a parked event is a status update waiting for its OrderCreated; ' +
          'a dead-lettered one is a record of the order (by key) the consumer sent to the dead-letter topic. ' +
          'At most 1000 events are listed (truncated says whether more exist).',
        parameters: [orderIdParam('path')],
        responses: {
          '200': {
            description: 'The events of the order.',
            ...json(
              envelope({
                type: 'object',
                required: ['orderId', 'events', 'truncated'],
                properties: { orderId: { type: 'string' }, events: { type: 'array', items: ref('TimelineEvent') }, truncated: { type: 'boolean' } },
              }),
            ),
          },
          '400': error('orderId is blank, longer than 64 characters, or holds a control character (e.g. NUL) or a lone surrogate.'),
          '404': error('No event of this order has been consumed.'),
        },
      },
    },
    '/api/dlq': {
      get: {
        summary: 'The dead-letter topic: records the consumer refused, newest first, paged',
        description:
          'Each dead letter once (copies of one refused record share its recordId), with the dlq-* headers that say why and where it came from, ' +
          'and its value decoded with its writer schema when the registry knows it.',
        parameters: [
          { name: 'page', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 } },
          { name: 'pageSize', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'replayed', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] }, description: 'Only those replayed (true) or not yet (false).' },
        ],
        responses: {
          '200': {
            description: 'One page of dead letters and how many there are in all.',
            ...json(
              envelope({
                type: 'object',
                required: ['total', 'page', 'pageSize', 'deadLetters'],
                properties: { total: { type: 'integer', minimum: 0 }, page: { type: 'integer' }, pageSize: { type: 'integer' }, deadLetters: { type: 'array', items: ref('DeadLetter') } },
              }),
            ),
          },
          '400': error('page, pageSize or replayed is not as documented.'),
        },
      },
    },
    '/api/dlq/{recordId}': {
      get: {
        summary: 'One dead letter, with its value as bytes (base64)',
        parameters: [recordIdParam],
        responses: {
          '200': { description: 'The dead letter.', ...json(envelope(ref('DeadLetter'))) },
          '400': error('recordId is not <topic>/<partition>/<offset>.'),
          '404': error('No such dead letter.'),
        },
      },
    },
    '/api/dlq/{recordId}/replay': {
      post: {
        summary: 'Re-publishes a dead letter to the topic it came from, once',
        description:
          'The original record (key, value, its own headers, plus orderflow-replay-of naming the dead letter) goes back to the topic it came from (the order or the inventory events topic), ' +
          'and who replayed it, when, and where it landed are recorded. A record the consumer still refuses becomes a new dead letter; ' +
          'one applied meanwhile is dropped by its event id.',
        parameters: [recordIdParam],
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            additionalProperties: false,
            required: ['operator'],
            properties: { operator: { type: 'string', pattern: '^[\\p{L}\\p{N} ._@-]{1,100}$', description: 'Who replays it (recorded).', examples: ['alice'] } },
          }),
        },
        responses: {
          '200': { description: 'Replayed: Kafka acknowledged the record.', ...json(envelope(ref('DeadLetter'))) },
          '400': error('recordId or the body is not as documented (operator is required).'),
          '404': error('No such dead letter.'),
          '415': error('The body is not application/json.'),
          '409': error(
            'Already replayed or being replayed (the message says by whom and when), or it did not come from a topic this service consumes, or it has no value, or Kafka refuses the record.',
          ),
          '503': error('Kafka did not take the record; the replay is given up, so it can be replayed again (a repeat that did reach Kafka changes nothing: its event id is known).'),
        },
      },
    },
    '/api/schemas': {
      get: {
        summary: 'The schema subjects of the consumed topic, with their versions and compatibility modes, from the registry',
        responses: {
          '200': {
            description: 'One subject per event type (TopicRecordNameStrategy: <topic>-<record full name>).',
            ...json(
              envelope({
                type: 'object',
                required: ['registryUrl', 'globalCompatibility', 'subjects'],
                properties: {
                  registryUrl: { type: 'string' },
                  globalCompatibility: { type: ['string', 'null'] },
                  subjects: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['subject', 'eventType', 'compatibility', 'versions'],
                      properties: {
                        subject: { type: 'string' },
                        eventType: { type: 'string' },
                        compatibility: { type: ['string', 'null'], description: "The subject's mode, or the global one when it has none of its own." },
                        versions: {
                          type: 'array',
                          items: { type: 'object', required: ['version', 'id'], properties: { version: { type: 'integer', minimum: 1 }, id: { type: ['integer', 'null'] } } },
                        },
                      },
                    },
                  },
                },
              }),
            ),
          },
          '503': error('The schema registry is unreachable or failing.'),
        },
      },
    },
    '/api/consumer-lag': {
      get: {
        summary: "The consumer group's lag on each partition of the consumed topic",
        responses: {
          '200': {
            description: 'Events between the committed offset (or the log start, before a first commit) and the end of each partition.',
            ...json(
              envelope({
                type: 'object',
                required: ['topic', 'groupId', 'total', 'partitions'],
                properties: {
                  topic: { type: 'string' },
                  groupId: { type: 'string' },
                  total: { type: 'integer', minimum: 0 },
                  partitions: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['partition', 'committedOffset', 'endOffset', 'lag'],
                      properties: {
                        partition: { type: 'integer', minimum: 0 },
                        committedOffset: { type: ['string', 'null'], pattern: '^\\d+$' },
                        endOffset: { type: 'string', pattern: '^\\d+$' },
                        lag: { type: 'integer', minimum: 0 },
                      },
                    },
                  },
                },
              }),
            ),
          },
          '503': error('Kafka is unreachable.'),
        },
      },
    },
    '/api/analytics/orders-per-minute': {
      get: {
        summary: 'Orders placed per minute (by order date), every minute the window touches listed',
        parameters: [
          {
            name: 'from',
            in: 'query',
            required: false,
            description: 'ISO 8601 date-time, rounded down to its minute; default: the 60 minutes up to to, once to is rounded up.',
            schema: { type: 'string', format: 'date-time' },
          },
          { name: 'to', in: 'query', required: false, description: 'ISO 8601 date-time, rounded up to its minute (excluded); default: now.', schema: { type: 'string', format: 'date-time' } },
        ],
        responses: {
          '200': {
            description: 'The count of each minute, oldest first.',
            ...json(
              envelope({
                type: 'object',
                required: ['from', 'to', 'minutes'],
                properties: {
                  from: { type: 'string', format: 'date-time' },
                  to: { type: 'string', format: 'date-time' },
                  minutes: {
                    type: 'array',
                    maxItems: 1441,
                    items: { type: 'object', required: ['minute', 'orders'], properties: { minute: { type: 'string', format: 'date-time' }, orders: { type: 'integer', minimum: 0 } } },
                  },
                },
              }),
            ),
          },
          '400': error('from or to is not an ISO 8601 date-time, or from is not before to, or they are more than 1440 minutes apart.'),
        },
      },
    },
    '/api/analytics/top-products': {
      get: {
        summary: 'The items sold in most units (cancelled orders excluded), with their revenue per currency',
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 10 } }],
        responses: {
          '200': {
            description: 'Most units first; ties by item id.',
            ...json(
              envelope({
                type: 'object',
                required: ['products'],
                properties: {
                  products: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['itemId', 'unitsSold', 'orders', 'revenueByCurrency'],
                      properties: {
                        itemId: { type: 'string' },
                        unitsSold: { type: 'integer', minimum: 1 },
                        orders: { type: 'integer', minimum: 1 },
                        revenueByCurrency: { type: 'object', additionalProperties: money },
                      },
                    },
                  },
                },
              }),
            ),
          },
          '400': error('limit is not a whole number from 1 to 100.'),
        },
      },
    },
    '/api/analytics/summary': {
      get: {
        summary: 'Orders by status and revenue by currency (exact; cancelled orders excluded from revenue)',
        responses: {
          '200': {
            description: 'The summary.',
            ...json(
              envelope({
                type: 'object',
                required: ['totalOrders', 'ordersByStatus', 'revenueByCurrency'],
                properties: {
                  totalOrders: { type: 'integer' },
                  ordersByStatus: { type: 'object', additionalProperties: { type: 'integer' } },
                  revenueByCurrency: { type: 'object', additionalProperties: money },
                },
              }),
            ),
          },
        },
      },
    },
    ...OPERATIONS_PATHS,
  },
  components: {
    schemas: {
      DeadLetter: {
        type: 'object',
        required: ['recordId', 'deadLetteredAt', 'deadLetter', 'source', 'errorCode', 'errorKind', 'errorMessage', 'eventType', 'eventId', 'key', 'headers', 'value', 'replay'],
        properties: {
          recordId: { type: 'string', description: 'The dlq-record-id header (<source topic>/<partition>/<offset>), or the dead letter\'s own position when it has none.' },
          deadLetteredAt: { type: 'string', format: 'date-time' },
          deadLetter: ref('RecordPosition'),
          source: { oneOf: [ref('RecordPosition'), { type: 'null' }], description: 'Where the refused record was (dlq-source-* headers).' },
          errorCode: { type: ['string', 'null'], examples: ['NOT_CONFLUENT_AVRO', 'UNKNOWN_SCHEMA_ID', 'BUSINESS_INVALID', 'PROCESSING_FAILED'] },
          errorKind: { type: ['string', 'null'] },
          errorMessage: { type: ['string', 'null'] },
          eventType: { type: ['string', 'null'] },
          eventId: { type: ['string', 'null'] },
          key: { type: ['string', 'null'], description: 'The record key as UTF-8 (the order id).' },
          headers: {
            type: 'object',
            description: 'Every header as UTF-8 text; one the record carries more than once is a list.',
            additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          },
          value: {
            type: 'object',
            required: ['bytes', 'decoded', 'decodeError'],
            properties: {
              bytes: { type: 'integer', minimum: 0 },
              decoded: {
                oneOf: [
                  { type: 'object', required: ['type', 'schemaId', 'event'], properties: { type: { type: 'string' }, schemaId: { type: 'integer' }, event: { type: 'object' } } },
                  { type: 'null' },
                ],
              },
              decodeError: { type: ['string', 'null'], description: 'Why the value could not be decoded; null when it was.' },
              base64: { type: ['string', 'null'], description: 'The value\'s bytes; only when one dead letter is asked for.' },
            },
          },
          replay: {
            description: 'Null when never replayed. replayedAt, partition and offset are null while the replay is in progress.',
            oneOf: [
              {
                type: 'object',
                required: ['replayedBy', 'startedAt', 'replayedAt', 'partition', 'offset'],
                properties: {
                  replayedBy: { type: 'string' },
                  startedAt: { type: 'string', format: 'date-time' },
                  replayedAt: { type: ['string', 'null'], format: 'date-time' },
                  partition: { type: ['integer', 'null'], minimum: 0 },
                  offset: { type: ['string', 'null'], pattern: '^\\d+$' },
                },
              },
              { type: 'null' },
            ],
          },
        },
      },
      RecordPosition: {
        type: 'object',
        required: ['topic', 'partition', 'offset'],
        properties: { topic: { type: 'string' }, partition: { type: 'integer', minimum: 0 }, offset: { type: 'string', pattern: '^\\d+$' } },
      },
      TimelineEvent: {
        type: 'object',
        required: ['eventId', 'eventType', 'status', 'stockState', 'outcome', 'reason', 'topic', 'partition', 'offset', 'occurredAt', 'recordedAt'],
        description: 'The order events come first, then the inventory events about its stock, each in the order Kafka delivered them.',
        properties: {
          eventId: { type: ['string', 'null'], format: 'uuid', description: 'Null only for a dead letter that could not be decoded.' },
          eventType: { type: ['string', 'null'], enum: [...EVENT_TYPES, ...INVENTORY_EVENT_TYPES, null] },
          status: { type: ['string', 'null'], description: "The order's status the event carried; null for an inventory event and a dead letter." },
          stockState: { type: ['string', 'null'], enum: ['reserved', 'rejected', 'released', 'committed', null], description: 'The stock state an inventory event announced; null for the others.' },
          outcome: {
            type: 'string',
            enum: ['applied', 'rejected', 'parked', 'dead-lettered'],
            description: 'dead-lettered: a record of this order (by key) sent to the dead-letter topic; see GET /api/dlq.',
          },
          reason: { type: ['string', 'null'], description: 'Why it was refused or dead-lettered, or which items were short for a refused reservation; null otherwise.' },
          topic: { type: 'string' },
          partition: { type: 'integer', minimum: 0 },
          offset: { type: 'string', pattern: '^\\d+$', description: 'Kafka offset (a 64-bit integer, as a string).' },
          occurredAt: { type: 'string', format: 'date-time' },
          recordedAt: { type: 'string', format: 'date-time' },
        },
      },
      OrderItem: {
        type: 'object',
        required: ['itemId', 'quantity', 'price'],
        properties: { itemId: { type: 'string' }, quantity: { type: 'integer', minimum: 1 }, price: money },
      },
      OrderDetails: {
        type: 'object',
        required: ['orderId', 'customerId', 'orderDate', 'items', 'totalAmount', 'currency', 'status', 'stockState', 'shippingCost', 'updatedAt'],
        properties: {
          orderId: { type: 'string' },
          customerId: { type: 'string' },
          orderDate: { type: 'string', format: 'date-time' },
          items: { type: 'array', items: ref('OrderItem') },
          totalAmount: money,
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
          status: { type: 'string', enum: [...ORDER_STATUSES] },
          stockState,
          shippingCost: money,
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      OrderSummary: {
        type: 'object',
        required: ['orderId', 'customerId', 'orderDate', 'totalAmount', 'currency', 'status', 'stockState', 'shippingCost', 'sourceTopic', 'createdAt', 'updatedAt'],
        properties: {
          orderId: { type: 'string' },
          customerId: { type: 'string' },
          orderDate: { type: 'string', format: 'date-time' },
          totalAmount: money,
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
          status: { type: 'string', enum: [...ORDER_STATUSES] },
          stockState,
          shippingCost: money,
          sourceTopic: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      ...OPERATIONS_SCHEMAS,
    },
  },
} as const;

/** The document as served: its protected operations declare the API key they need (see access-policy.ts). */
export const OPENAPI_DOCUMENT = withApiKeySecurity(DOCUMENT, ORDER_ACCESS_POLICY);
