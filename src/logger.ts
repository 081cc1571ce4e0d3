import pino, { type Logger } from 'pino';

export type { Logger };

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
  });
}

/**
 * The logger of a script or test that passes none to a library factory: LOG_LEVEL as the
 * process has it when the factory is called (services always pass their own, from their config).
 */
export function loggerForTools(): Logger {
  return createLogger(process.env.LOG_LEVEL ?? 'info');
}
