export * from './domain/challenge';
export * from './domain/inbox-message';
export * from './domain/json';
export * from './domain/notification';
export * from './domain/payout';
export * from './domain/state-machine';
export * from './errors';
export * from './events/notifier-events';
export * from './events/payout-queue-events';
export * from './events/scheduler-events';
export * from './money/amount';
export * from './money/split';
export * from './notification-channel';
export * from './notifier/channels/console-channel';
export * from './notifier/channels/notification-json';
export * from './notifier/channels/push-channel';
export * from './notifier/channels/webhook-channel';
export {
  type SignWebhookBodyInput,
  signWebhookBody,
  type VerifyWebhookSignatureInput,
  verifyWebhookSignature,
  WEBHOOK_HEADERS,
  type WebhookSecret,
} from './notifier/channels/webhook-signature';
export * from './notifier/in-app-channel';
export * from './notifier/notifier';
export * from './notifier/notifier-options';
export { REMINDER_KIND, type ReminderPayload, reminderKey, type SkipReason } from './notifier/reminder-policy';
export * from './notifier/render-notification';
export { PAYOUT_COMPLETED_KIND, PENDING_ADMIN_KIND } from './notifier/status-notices';
export * from './payout/payout-events';
export * from './payout/payout-plan';
export * from './payout/payout-queue';
export * from './payout/payout-queue-options';
export * from './payout/payout-status';
export type { AutoResolveDecision, AutoResolvePolicy } from './scheduler/auto-resolve-policy';
export * from './scheduler/challenges';
export * from './scheduler/refund-unopposed';
export * from './scheduler/scheduler';
export * from './scheduler/scheduler-options';
export * from './store/compare-ids';
export * from './store/memory-store';
export * from './store/store';
export * from './time/backoff';
export * from './time/clock';
export * from './time/duration';
export * from './validation';
