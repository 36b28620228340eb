import type { ChallengeId } from '../domain/challenge';
import type { SettleError } from '../errors';

/** Fields every notification event carries. */
export interface NotificationEventBase {
  readonly notificationId: string;
  readonly key: string;
  readonly kind: string;
  readonly challengeId: ChallengeId | null;
  readonly recipient: string;
}

/** A notification was delivered by a channel. */
export interface NotificationSentEvent extends NotificationEventBase {
  readonly channel: string;
  readonly attempt: number;
  readonly sentAt: string;
}

/** A notification was recorded as skipped, with its reason. */
export interface NotificationSkippedEvent extends NotificationEventBase {
  readonly reason: string;
}

/** A delivery attempt failed; `willRetry` false means it is now dead-lettered. */
export interface NotificationFailedEvent extends NotificationEventBase {
  readonly channel: string;
  readonly attempt: number;
  readonly error: string;
  readonly willRetry: boolean;
}

/** Events of a `Notifier`; each fires after its transaction committed. */
export interface NotifierEvents {
  /** After a channel accepted the notification and its `sent` row committed. */
  'notification.sent': (event: NotificationSentEvent) => void;
  /** After a skip was recorded. */
  'notification.skipped': (event: NotificationSkippedEvent) => void;
  /** After a failed attempt was recorded. */
  'notification.failed': (event: NotificationFailedEvent) => void;
  /** A background failure, with its context in `error.context`. */
  error: (error: SettleError) => void;
}
