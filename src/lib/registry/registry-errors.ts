import { AppError } from '../../errors';

/**
 * Why a message cannot be decoded, whatever the registry's state: the consumer sends these to
 * the dead-letter topic (the reason goes into a header) instead of retrying.
 */
export const POISON_REASONS = ['NOT_CONFLUENT_AVRO', 'UNKNOWN_SCHEMA_ID', 'UNKNOWN_EVENT_TYPE', 'INCOMPATIBLE_SCHEMA', 'UNDECODABLE'] as const;

/** The `details.reason` of a POISON_MESSAGE raised while decoding. */
export type PoisonReason = (typeof POISON_REASONS)[number];

/** A POISON_MESSAGE AppError whose `details.reason` says why. */
export function poisonMessage(reason: PoisonReason, message: string, cause?: unknown): AppError {
  return new AppError('POISON_MESSAGE', message, { reason, cause });
}

/** The reason of a POISON_MESSAGE error raised by this module, if `error` is one. */
export function poisonReasonOf(error: unknown): PoisonReason | undefined {
  if (!(error instanceof AppError) || error.code !== 'POISON_MESSAGE') return undefined;
  const reason = error.details.reason;
  return (POISON_REASONS as readonly string[]).includes(reason ?? '') ? (reason as PoisonReason) : undefined;
}

/** The HTTP status of a failed registry call, from either our fetch client or the kafkajs library. */
export function registryStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The registry could not answer (down, unreachable, 5xx, timeout, or refusing our credentials):
 * retriable, never the message's fault, so the consumer must not dead-letter on it.
 */
export function registryUnavailable(registryUrl: string, error: unknown): AppError {
  const detail = (error instanceof Error ? error.message : String(error))
    .replace(/^Confluent_Schema_Registry - /, '')
    // @kafkajs/confluent-schema-registry (through mappersmith) reports a failed connection as
    // "Error, status 400: connect ECONNREFUSED ..."; no registry answered, so drop the status.
    .replace(/^Error, status 400: (?=.*\b(E[A-Z]+|socket hang up)\b)/, '');
  return new AppError('DEPENDENCY_UNAVAILABLE', `schema registry at ${registryUrl} is unavailable: ${detail}`, { cause: error });
}
