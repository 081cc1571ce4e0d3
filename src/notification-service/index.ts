export { startNotificationService, NOTIFICATION_DB_POOL_MAX, type NotificationServiceDeps, type RunningNotificationService } from './server';
export { NOTIFICATION_DATABASE } from './database';
export { OPENAPI_DOCUMENT } from './openapi';
export { draftOfInventoryEvent, draftOfOrderEvent, MAX_ITEMS_NAMED, NOTIFICATION_KINDS, type NotificationDraft, type NotificationKind } from './notification-drafts';
export { createInventoryNoticeDecoder, type InventoryNotice } from './inventory-notice-decoder';
export { signWebhook, webhookHeaders, NOTIFICATION_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature';
export { nextStep, outcomeOfStatus, MAX_WEBHOOK_ATTEMPTS, WEBHOOK_RETRY, type AttemptOutcome, type NextStep } from './webhook-policy';
