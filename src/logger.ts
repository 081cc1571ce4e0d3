import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Each component logs through a child named after it; lines about an
 * order carry `orderId` and `eventId` so one order's story can be followed across services.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', service = 'orderflow'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

export const rootLogger = createLogger();

export function componentLogger(component: string): Logger {
  return rootLogger.child({ component });
}
