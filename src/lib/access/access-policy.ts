import type { Role } from './roles';

/** What an operation needs: a key of at least this role (once keys exist), or nothing. */
export type Requirement = Role | 'open';

/** Operations under `prefix` (the path itself or below it), for `methods` (all when left out), need `needs`. */
export interface AccessRule {
  prefix: string;
  methods?: readonly string[];
  needs: Requirement;
}

export interface AccessPolicy {
  /** What `method` on `path` needs; `path` may be concrete (`/api/dlq/x`) or an OpenAPI template (`/api/dlq/{recordId}`). */
  requirementFor(method: string, path: string): Requirement;
}

/** What every service leaves open: liveness, readiness, metrics (scraped without a key) and the API documents. */
const OPEN_EVERYWHERE: readonly AccessRule[] = ['/health', '/ready', '/metrics', '/docs'].map((prefix) => ({ prefix, needs: 'open' }));

const READ_METHODS = new Set(['GET', 'HEAD']);

/** Express routes ignore case (/API/DLQ reaches /api/dlq), so the rules must too, or a change of case would pass a stricter rule by. */
function under(path: string, prefix: string): boolean {
  const [lowerPath, lowerPrefix] = [path.toLowerCase(), prefix.toLowerCase()];
  return lowerPath === lowerPrefix || lowerPath.startsWith(lowerPrefix.endsWith('/') ? lowerPrefix : `${lowerPrefix}/`);
}

/**
 * A service's access rules: the first rule that matches decides; otherwise reading (GET, HEAD)
 * needs a reader and any other method a writer. OPTIONS is open (it only lists the methods a
 * path serves, and a browser's CORS preflight never carries a key).
 */
export function accessPolicy(rules: readonly AccessRule[]): AccessPolicy {
  const all = [...OPEN_EVERYWHERE, ...rules];
  return {
    requirementFor(method, path) {
      const verb = method.toUpperCase();
      if (verb === 'OPTIONS') return 'open';
      const rule = all.find(({ prefix, methods }) => under(path, prefix) && (methods === undefined || methods.includes(verb)));
      if (rule) return rule.needs;
      return READ_METHODS.has(verb) ? 'reader' : 'writer';
    },
  };
}
