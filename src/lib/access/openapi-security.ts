import { errorResponse } from '../http/openapi-parts';
import type { AccessPolicy } from './access-policy';

/** The name of the security scheme in every service's OpenAPI document. */
export const SECURITY_SCHEME = 'apiKey';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

const SCHEME = {
  type: 'http',
  scheme: 'bearer',
  description:
    'An Orderflow API key (of_<keyId>_<secret>, from `npm run apikey:create -- --role reader|writer|admin`) as Authorization: Bearer <key>. ' +
    'Needed only once at least one key exists; while none does, the service is open and ignores the header.',
};

const ANSWERS = {
  '401': {
    ...errorResponse('No API key, or one that is malformed, unknown or revoked (only once keys exist).'),
    headers: { 'WWW-Authenticate': { description: 'Bearer, with error="invalid_token" when a key was sent but refused.', required: true, schema: { type: 'string', pattern: '^Bearer' } } },
  },
  '403': errorResponse("The API key's role is below the one this operation needs."),
  '429': {
    ...errorResponse('The API key sent more requests than its rate limit (API_RATE_LIMIT_PER_SECOND, API_RATE_LIMIT_BURST) allows.'),
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 1 } } },
  },
};

interface Operation {
  description?: string;
  responses?: Record<string, unknown>;
}

/**
 * `document` with the bearer scheme declared, and on each operation the policy protects: the
 * security requirement (the key, or none: `{}` — open mode accepts requests without one), the
 * role it needs (in its description and as `x-required-role`), and its 401, 403 and 429 answers.
 * /ready's data gains `auth`. Typed as the document given: it only adds keys to it.
 */
export function withApiKeySecurity<T extends object>(document: T, policy: AccessPolicy): T {
  const copy = structuredClone(document) as T & { paths?: Record<string, Record<string, Operation | undefined>>; components?: { securitySchemes?: Record<string, unknown>; schemas?: Record<string, { required?: string[]; properties?: Record<string, unknown> }> } };
  for (const [path, item] of Object.entries(copy.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const needs = policy.requirementFor(method, path);
      if (needs === 'open') continue;
      const note = `Needs an API key of role ${needs} or above once any key exists.`;
      Object.assign(operation, {
        description: operation.description ? `${operation.description}\n\n${note}` : note,
        security: [{ [SECURITY_SCHEME]: [] }, {}],
        'x-required-role': needs,
        responses: { ...operation.responses, ...ANSWERS },
      });
    }
  }
  copy.components = { ...copy.components, securitySchemes: { ...copy.components?.securitySchemes, [SECURITY_SCHEME]: SCHEME } };
  const states = copy.components.schemas?.DependencyStates;
  if (states) {
    states.properties = { ...states.properties, auth: { enum: ['open', 'keys', 'unknown'], description: 'open: no API key exists and the API answers anyone; keys: every protected operation needs one; unknown: the keys could not be read yet, so every protected operation answers 503.' } };
    states.required = [...(states.required ?? []), 'auth'];
  }
  return copy;
}
