export { createMicroBatcher, type BatchOutcome, type MicroBatcher, type MicroBatcherOptions, type ProcessBatch } from './micro-batcher';
