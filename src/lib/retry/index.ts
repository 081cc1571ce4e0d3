export { backoffDelay, type RetryPolicy } from './backoff';
export { pauseUnlessStopping, retryUntilDone, StoppingError, type RetryOptions } from './retry-loop';
