import type { ChallengeId } from '../../domain/challenge';
import type { JsonObject } from '../../domain/json';
import type { OutgoingNotification } from '../../notification-channel';

/**
 * What the webhook channel POSTs and the push channel triggers: one notification, rendered, as JSON.
 * Dates are ISO-8601 strings in UTC; amounts inside `payload` are strings of minor units.
 *
 * @example
 * ```ts
 * const event = JSON.parse(rawBody) as NotificationJson;
 * if (event.kind === 'reminder') await sendEmail(event.recipient, event.title, event.body);
 * ```
 */
export interface NotificationJson {
  /** The notification id: the same on every attempt, so receivers deduplicate on it. */
  readonly id: string;
  /** The de-duplication key, e.g. `reminder:c1:u7:PT1H`. */
  readonly key: string;
  /** `reminder`, `pending_admin`, `payout_completed`, or a kind of your own. */
  readonly kind: string;
  readonly challengeId: ChallengeId | null;
  /** The host's user id of the recipient. */
  readonly recipient: string;
  /** Rendered title, e.g. `1 hour left`. */
  readonly title: string;
  /** Rendered text in the recipient's language and zone. */
  readonly body: string;
  /** The kind's data (challenge title, deadline, amount…), for receivers that render their own text. */
  readonly payload: JsonObject;
  /** When the notification fell due. */
  readonly dueAt: string;
  /** When this attempt was made. */
  readonly sentAt: string;
}

/**
 * The JSON a channel delivers for `message`, attempted at `sentAt`.
 *
 * @example
 * ```ts
 * const json = toNotificationJson(message, clock.now());
 * await queue.publish('notifications', Buffer.from(JSON.stringify(json)));
 * ```
 */
export function toNotificationJson(message: OutgoingNotification, sentAt: Date): NotificationJson {
  const { notification } = message;
  return {
    id: notification.id,
    key: notification.key,
    kind: notification.kind,
    challengeId: notification.challengeId,
    recipient: notification.recipient,
    title: message.title,
    body: message.body,
    payload: notification.payload,
    dueAt: notification.dueAt.toISOString(),
    sentAt: sentAt.toISOString(),
  };
}
