import { AppError } from '../../errors';

/** kafkajs errors that are not flagged retriable, yet only say the broker did not answer in time. */
const TRANSIENT_KAFKAJS_NAMES = new Set(['KafkaJSNumberOfRetriesExceeded', 'KafkaJSConnectionError', 'KafkaJSRequestTimeoutError']);

/**
 * Kafka's answers that refuse records rather than say it is unavailable: too large for the
 * topic's max.message.bytes (a smaller call may succeed; a single record never will), or a
 * record the broker finds invalid. (CORRUPT_MESSAGE is not one: Kafka calls it retriable.)
 */
const RECORD_REFUSED = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

/** True when Kafka refused the records themselves (see RECORD_REFUSED), however kafkajs or {@link kafkaError} wrapped the answer. */
export function isRecordRefused(error: unknown): boolean {
  // kafkajs wraps broker errors: a retriable error's `cause`, or the `errors` of an aggregate over several brokers.
  const { type, cause, errors } = (error ?? {}) as { type?: unknown; cause?: unknown; errors?: unknown };
  return (
    (typeof type === 'string' && RECORD_REFUSED.has(type)) ||
    (cause !== undefined && cause !== error && isRecordRefused(cause)) ||
    (Array.isArray(errors) && errors.some(isRecordRefused))
  );
}

/** True when a kafkajs error says the cluster cannot be reached or answered too late, so retrying can help. */
function isTransientKafkaError(error: unknown): boolean {
  const { name, retriable } = (error ?? {}) as { name?: unknown; retriable?: unknown };
  if (typeof name !== 'string' || !name.startsWith('KafkaJS')) return false;
  // Other kafkajs errors say themselves whether a retry can help.
  return TRANSIENT_KAFKAJS_NAMES.has(name) || retriable === true;
}

/**
 * A kafkajs failure as an AppError: DEPENDENCY_UNAVAILABLE (retriable) when Kafka is down or
 * slow, INTERNAL otherwise. The original error stays its cause, so {@link isRecordRefused} still
 * sees Kafka's own answer.
 */
export function kafkaError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isTransientKafkaError(error)) return new AppError('DEPENDENCY_UNAVAILABLE', `Kafka is unavailable: ${message}`, { cause: error });
  return new AppError('INTERNAL', message, { cause: error });
}
