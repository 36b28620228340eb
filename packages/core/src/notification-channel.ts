import type { Notification } from './domain/notification';

/** What a channel is asked to deliver: the outbox row plus the rendered text. */
export interface OutgoingNotification {
  readonly notification: Notification;
  /** Short title, e.g. "1 hour left". */
  readonly title: string;
  /** Rendered body in the recipient's language and zone. */
  readonly body: string;
}

/**
 * A way to reach people: webhook, push, in-app, console, or the host's own.
 * `send` resolves when the message was accepted and throws to ask for a retry; it is called with
 * the notification's id as an idempotency key, at least once per notification.
 */
export interface NotificationChannel {
  /** Unique name, used in preferences and logs (`webhook`, `push`, `in-app`…). */
  readonly name: string;
  /** Delivers one notification. */
  send(message: OutgoingNotification): Promise<void>;
}
