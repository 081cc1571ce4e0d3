export { backoffDelay, TRANSIENT_RETRY, type RetryPolicy } from './backoff';
export { Abandonment, pauseUnlessStopping, retryUntilDone, StoppingError, type RetryOptions } from './retry-loop';
