/**
 * Pieces every service's OpenAPI 3.1 document shares: the JSON envelope, the error answer, and
 * the operations endpoints createHttpApp serves (/health, /ready, /metrics).
 */

export const json = (schema: object) => ({ content: { 'application/json': { schema } } });

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** An error answer: the error envelope, with what it means here. */
export const errorResponse = (description: string) => ({ description, ...json(ref('ErrorEnvelope')) });

/** The success envelope around `data`. */
export const envelope = (data: object) => ({
  type: 'object',
  required: ['success', 'message', 'data'],
  properties: { success: { const: true }, message: { type: 'string' }, data },
});

/** A paged list: `items` under `name`, with the page asked for and how many there are. */
export const page = (name: string, item: object) =>
  envelope({
    type: 'object',
    required: [name, 'page', 'pageSize', 'total'],
    properties: { [name]: { type: 'array', items: item }, page: { type: 'integer', minimum: 1 }, pageSize: { type: 'integer', minimum: 1 }, total: { type: 'integer', minimum: 0 } },
  });

/** `page` and `pageSize` query parameters. */
export const pagingParameters = (maxPageSize: number, defaultPageSize = 20) => [
  { name: 'page', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 } },
  { name: 'pageSize', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: maxPageSize, default: defaultPageSize } },
];

/** /health, /ready and /metrics, as createHttpApp serves them. */
export const OPERATIONS_PATHS = {
  '/health': {
    get: {
      summary: 'Liveness',
      responses: { '200': { description: 'The process is alive.', ...json(envelope({ type: 'object', required: ['status'], properties: { status: { const: 'ok' } } })) } },
    },
  },
  '/ready': {
    get: {
      summary: 'Readiness: Kafka, the schema registry and PostgreSQL reachable',
      responses: {
        '200': { description: 'Ready: every dependency is up.', ...json(envelope(ref('DependencyStates'))) },
        '503': {
          description: 'A dependency is unreachable; data says which and why.',
          ...json({
            type: 'object',
            required: ['success', 'code', 'message', 'data'],
            properties: { success: { const: false }, code: { const: 'DEPENDENCY_UNAVAILABLE' }, message: { type: 'string' }, data: ref('DependencyStates') },
          }),
        },
      },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics',
      responses: { '200': { description: 'Text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  },
} as const;

/** The components the operations endpoints and the error answers refer to. */
export const OPERATIONS_SCHEMAS = {
  DependencyStates: {
    type: 'object',
    description: "Each dependency's state: 'up', or 'down: ' and why.",
    required: ['kafka', 'registry', 'database'],
    properties: { kafka: ref('DependencyState'), registry: ref('DependencyState'), database: ref('DependencyState') },
  },
  DependencyState: { type: 'string', pattern: '^(up|down: .+)$', examples: ['up', 'down: connect ECONNREFUSED 127.0.0.1:18081'] },
  ErrorEnvelope: {
    type: 'object',
    required: ['success', 'code', 'message'],
    properties: {
      success: { const: false },
      code: { type: 'string', examples: ['VALIDATION_FAILED', 'NOT_FOUND'] },
      message: { type: 'string' },
      errors: { type: 'array', items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } } },
    },
  },
} as const;
