import { AppError, isNetworkFailure } from '../../errors';

/**
 * PostgreSQL SQLSTATE classes and codes that say "try again later": the connection broke (08),
 * the server is shutting down, starting or cancelled the statement (57), it is out of
 * resources (53), the transaction lost a race (40001 serialisation, 40P01 deadlock), a lock
 * was not granted in time (55P03), or the server is a read-only standby after a failover (25006).
 */
const TRANSIENT_SQLSTATE = [/^08/, /^57/, /^53/, /^40001$/, /^40P01$/, /^55P03$/, /^25006$/];

/** What pg and knex say, without an SQLSTATE, when the connection is gone or none could be had. */
const CONNECTION_LOST = [/Connection terminated/i, /Knex: Timeout acquiring a connection/i, /connection is closed/i, /Client has encountered a connection error/i];

/** True when a pg or knex error says the database is unavailable for now, so retrying can help. */
function isTransientDatabaseError(error: unknown): boolean {
  const { code, name, message } = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown };
  return (
    (typeof code === 'string' && TRANSIENT_SQLSTATE.some((pattern) => pattern.test(code))) ||
    name === 'KnexTimeoutError' ||
    (typeof message === 'string' && CONNECTION_LOST.some((pattern) => pattern.test(message))) ||
    isNetworkFailure(error)
  );
}

/**
 * A pg or knex failure as an AppError: DEPENDENCY_UNAVAILABLE (retriable, 503 with Retry-After)
 * when the database is unavailable for now, INTERNAL otherwise; the original stays its cause.
 */
export function databaseError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isTransientDatabaseError(error)) return new AppError('DEPENDENCY_UNAVAILABLE', `the database is unavailable: ${withoutStatement(error, message)}`, { cause: error });
  return new AppError('INTERNAL', withoutStatement(error, message), { cause: error });
}

/** The SQLSTATE of a database failure (`23505` ...), also when {@link databaseError} wrapped it; undefined for any other failure. */
export function sqlStateOf(error: unknown): string | undefined {
  const failure = error instanceof AppError ? error.cause : error;
  const code = (failure as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * knex prefixes a database error's message with the failed statement, bindings filled in
 * (`insert into ... values ('ORDER-1', ...) - deadlock detected`); an answer names the database's
 * own words only, never the statement or its values.
 */
function withoutStatement(error: unknown, message: string): string {
  const separator = message.lastIndexOf(' - ');
  return sqlStateOf(error) !== undefined && separator >= 0 ? message.slice(separator + 3) : message;
}

type AsyncMethods = Record<string, (...args: never[]) => Promise<unknown>>;

/** `methods` with every failure turned into an AppError by {@link databaseError}: a repository's boundary. */
export function withDatabaseErrors<Methods extends AsyncMethods>(methods: Methods): Methods {
  const wrapped: Partial<Record<keyof Methods, unknown>> = {};
  for (const [name, method] of Object.entries(methods) as Array<[keyof Methods, Methods[keyof Methods]]>) {
    wrapped[name] = (...args: Parameters<typeof method>) =>
      method(...args).catch((error: unknown) => {
        throw databaseError(error);
      });
  }
  return wrapped as Methods;
}
