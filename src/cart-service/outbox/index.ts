export { createOutboxRelay, kafkaCountsDown, type OutboxRelay, type OutboxRelayOptions, type RelayRole } from './outbox-relay';
export { createPublicationTracker, type PublicationTracker, type PublicationWait } from './publication-tracker';
export { createOutboxStore, outboxDepth, outboxInsert, type OutboxStore, type OutboxEntry, type PublicationState } from './outbox-store';
