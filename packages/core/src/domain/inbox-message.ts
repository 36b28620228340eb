import type { ChallengeId } from './challenge';

/** A notification delivered in-app: a row the host shows in its own UI and marks read. */
export interface InboxMessage {
  /** Assigned by the store; newer messages have greater ids. */
  readonly id: string;
  /** The outbox notification it came from; unique, so a resend never shows twice. */
  readonly notificationId: string;
  /** The host's user id of the recipient. */
  readonly userId: string;
  readonly kind: string;
  readonly challengeId: ChallengeId | null;
  readonly title: string;
  readonly body: string;
  readonly createdAt: Date;
  /** When the user read it, or null while unread. */
  readonly readAt: Date | null;
}

/** An in-app message as handed to {@link StoreTransaction.addInboxMessages}. */
export type NewInboxMessage = Omit<InboxMessage, 'id' | 'readAt'>;
