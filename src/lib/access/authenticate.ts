import type { RequestHandler } from 'express';
import { AppError } from '../../errors';
import type { AccessPolicy } from './access-policy';
import { parseBearer } from './api-keys';
import type { AuthenticatedKey, KeyRing } from './key-ring';
import type { RateLimit, RefusedKeyLimit } from './rate-limit';
import { grants } from './roles';

/** Where the guard leaves the authenticated key for the routes: `res.locals[AUTHENTICATED_KEY]`. */
export const AUTHENTICATED_KEY = 'apiKey';

const HOW_TO_AUTHENTICATE = 'send an API key as Authorization: Bearer <key> (an administrator creates one with npm run apikey:create)';

/**
 * The Express middleware that lets a request through when the policy leaves its operation open,
 * when no key exists (open mode: any Authorization header, an empty Bearer included, is ignored),
 * or when it carries a valid key of a sufficient role within its rate limit. Otherwise it answers
 * 401 (with WWW-Authenticate: Bearer), 403 or 429 (with Retry-After) through the shared error
 * handler. Its messages never repeat the key sent.
 */
export function accessGuard({ ring, rateLimit, refusedKeys, policy }: { ring: KeyRing; rateLimit: RateLimit; refusedKeys: RefusedKeyLimit; policy: AccessPolicy }): RequestHandler {
  return (req, res, next) => {
    const needs = policy.requirementFor(req.method, req.path);
    if (needs === 'open' || ring.mode() === 'open') {
      next();
      return;
    }
    if (ring.mode() === 'unknown') {
      next(new AppError('DEPENDENCY_UNAVAILABLE', 'the API keys could not be read yet (the database is unreachable), so no request can be authenticated; retry shortly'));
      return;
    }
    const unauthorized = (message: string, invalidToken: boolean) => {
      // RFC 6750 §3: the challenge names the scheme, and error="invalid_token" when a token was sent but refused.
      res.set('WWW-Authenticate', invalidToken ? 'Bearer realm="orderflow", error="invalid_token"' : 'Bearer realm="orderflow"');
      next(new AppError('UNAUTHORIZED', message));
    };
    const credentials = parseBearer(req.get('authorization'));
    if (credentials.kind === 'none') return unauthorized(`an API key is required: ${HOW_TO_AUTHENTICATE}`, false);
    if (credentials.kind === 'malformed') return unauthorized(`the Authorization header is not a Bearer credential: ${HOW_TO_AUTHENTICATE}`, true);

    // The socket's address (no proxy is trusted): one client's stream of made-up keys must not keep every instance hashing.
    const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const tooManyRefused = (waitSeconds: number) =>
      next(new AppError('RATE_LIMITED', `this client presented more refused API keys than allowed; retry in ${waitSeconds} s`, { retryAfterSeconds: waitSeconds }));

    const admit = async (key: AuthenticatedKey | undefined): Promise<void> => {
      if (!key) {
        await refusedKeys.refused(client);
        return unauthorized('the API key is not valid: unknown, revoked or mistyped', true);
      }
      const waitSeconds = await rateLimit.take(key.id);
      if (waitSeconds !== undefined) {
        next(new AppError('RATE_LIMITED', `API key ${key.id} sent more requests than its rate limit allows; retry in ${waitSeconds} s`, { retryAfterSeconds: waitSeconds }));
        return;
      }
      if (!grants(key.role, needs)) {
        next(new AppError('FORBIDDEN', `${req.method} ${req.path} needs an API key of role ${needs} or above; key ${key.id} is a ${key.role} key`));
        return;
      }
      res.locals[AUTHENTICATED_KEY] = key;
      next();
    };
    refusedKeys
      .waitFor(client)
      .then(async (waitSeconds) => (waitSeconds === undefined ? admit(await ring.authenticate(credentials.token)) : tooManyRefused(waitSeconds)))
      .catch(next);
  };
}
