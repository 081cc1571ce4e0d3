import type { RequestHandler } from 'express';
import { AppError } from '../../errors';

/** What this module reads of Express's router (the `router` package): its layers and their routes. */
interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: unknown;
}

export interface RoutingTable {
  stack: RouterLayer[];
  all(path: string, handler: RequestHandler): unknown;
}

function isRoutingTable(value: unknown): value is RoutingTable {
  return typeof value === 'function' && Array.isArray((value as { stack?: unknown }).stack) && typeof (value as { all?: unknown }).all === 'function';
}

function methodNotAllowed(allowed: string[]): RequestHandler {
  const allow = allowed.join(', ');
  return (req, res, next) => {
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next(new AppError('METHOD_NOT_ALLOWED', `${req.method} is not served at ${req.path}; it serves ${allow}`));
  };
}

/**
 * Makes every path of `router` (and of the routers mounted in it) answer a method it does not
 * serve with 405 and an `Allow` header naming those it does (HEAD wherever GET is), instead of
 * the 404 of an unknown path. Call it once every route is mounted: it adds one catch-all per
 * path after that path's own handlers. OPTIONS gets 204 with the same Allow.
 */
export function answerOtherMethodsWith405(router: RoutingTable): void {
  const served = new Map<string, Set<string>>();
  for (const layer of [...router.stack]) {
    if (layer.route && typeof layer.route.path === 'string') {
      const methods = served.get(layer.route.path) ?? new Set<string>();
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') methods.add(method.toUpperCase());
      served.set(layer.route.path, methods);
    } else if (isRoutingTable(layer.handle)) {
      answerOtherMethodsWith405(layer.handle);
    }
  }
  for (const [path, methods] of served) {
    if (methods.has('GET')) methods.add('HEAD');
    router.all(path, methodNotAllowed([...methods].sort()));
  }
}
