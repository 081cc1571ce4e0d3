import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Fields that may hold a credential wherever they appear at the top of a log line or one level
 * down (pino's redaction paths allow one wildcard level): HTTP Authorization headers, API keys,
 * passwords and connection strings. Credentials are kept out of messages by the code that writes
 * them; this is the net under it.
 */
export const REDACTED_PATHS: readonly string[] = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  '*.authorization',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'connectionString',
  '*.connectionString',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'WEBHOOK_SECRET',
  '*.WEBHOOK_SECRET',
];

/**
 * Structured JSON logs. Each component logs through a child named after it; lines about an
 * order carry `orderId` and `eventId` so one order's story can be followed across services.
 */
export function createLogger(level: string, service = 'orderflow'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  });
}

/**
 * The logger of a script or test that passes none to a library factory: LOG_LEVEL as the
 * process has it when the factory is called (services always pass their own, from their config).
 */
export function loggerForTools(): Logger {
  return createLogger(process.env.LOG_LEVEL ?? 'info');
}
