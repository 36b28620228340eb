import type { ChallengeId } from './challenge';
import type { JsonObject } from './json';
import type { StateMachine } from './state-machine';

/**
 * An outbox row's life: `pending` → `processing` (leased to one sender) → `sent`; `skipped` with a
 * reason (a more urgent reminder went instead, the deadline passed); `failed` after the last attempt
 * (the dead-letter, which can be retried).
 */
export type NotificationStatus = 'pending' | 'processing' | 'sent' | 'skipped' | 'failed';

/** Every allowed notification transition. */
export const notificationStateMachine: StateMachine<NotificationStatus> = {
  name: 'notification',
  transitions: {
    pending: ['processing', 'skipped', 'failed'],
    processing: ['pending', 'sent', 'skipped', 'failed'],
    sent: [],
    skipped: [],
    failed: ['pending'],
  },
};

/** A reminder or status notice to deliver to one recipient, kept in the store's outbox. */
export interface Notification {
  /** Assigned by the store. */
  readonly id: string;
  /**
   * De-duplication key, unique in the store: the same key is never enqueued twice,
   * e.g. `reminder:c1:u7:PT1H`.
   */
  readonly key: string;
  readonly challengeId: ChallengeId | null;
  /** The host's user id of the recipient. */
  readonly recipient: string;
  /** What this is, e.g. `reminder`, `pending_admin`, `payout_completed`. */
  readonly kind: string;
  /** What the channels need to render and route it. */
  readonly payload: JsonObject;
  /** When it should go out. */
  readonly dueAt: Date;
  readonly status: NotificationStatus;
  /** Failed attempts so far. */
  readonly attempts: number;
  /** Not claimable before this instant (retry backoff). */
  readonly availableAt: Date;
  /** While `processing`: the lease ends here, after which another sender may take it. */
  readonly lockedUntil: Date | null;
  /** The last failure's message. */
  readonly error: string | null;
  /** Why it was skipped. */
  readonly skipReason: string | null;
  /** When it was sent or skipped. */
  readonly finishedAt: Date | null;
  readonly createdAt: Date;
}

/** A notification as handed to {@link StoreTransaction.enqueueNotifications}. */
export interface NewNotification {
  readonly key: string;
  readonly challengeId: ChallengeId | null;
  readonly recipient: string;
  readonly kind: string;
  readonly payload: JsonObject;
  readonly dueAt: Date;
  readonly createdAt: Date;
}
