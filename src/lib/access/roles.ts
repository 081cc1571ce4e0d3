/**
 * The roles an API key may hold, weakest first. They nest: an admin may do whatever a writer
 * may, and a writer whatever a reader may.
 */
export const ROLES = ['reader', 'writer', 'admin'] as const;

export type Role = (typeof ROLES)[number];

/** What each role is for, as `apikey:create --help` and the README say it. */
export const ROLE_DOCS: Readonly<Record<Role, string>> = {
  reader: 'every GET of the query APIs: orders, timelines, analytics, stock, reservations, notifications',
  writer: "a reader's rights, plus creating and updating orders (cart) and setting stock (inventory)",
  admin: "a writer's rights, plus the dead-letter topic (list, inspect, replay) and the operator console's schema and consumer-lag APIs",
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when a key holding `held` may do what needs `needed`. */
export function grants(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}
