import type { InboxMessage } from '../domain/inbox-message';
import { ValidationError } from '../errors';
import type { NotificationChannel, OutgoingNotification } from '../notification-channel';
import type { Store } from '../store/store';
import { type Clock, systemClock } from '../time/clock';
import { requireId, requireInteger } from '../validation';

/** Options of {@link InAppChannel.inbox}. */
export interface InboxOptions {
  /** Messages per page. Default: `50`. */
  readonly limit?: number;
  /** The last id of the previous page, for the next (older) one. */
  readonly before?: string;
  /** Only unread messages. Default: `false`. */
  readonly unreadOnly?: boolean;
}

/**
 * The in-app channel: delivering a notification stores it in the recipient's inbox, in the same
 * database, where the host reads it with {@link InAppChannel.inbox} and marks it read. A resent
 * notification is stored once.
 *
 * @example
 * ```ts
 * const inApp = new InAppChannel(store);
 * const notifier = new Notifier({ store, channels: [inApp] });
 * app.get('/me/inbox', async (req, res) => res.json(await inApp.inbox(req.user.id, { unreadOnly: true })));
 * app.post('/me/inbox/read', async (req, res) => res.json({ read: await inApp.markRead(req.user.id, req.body.ids) }));
 * ```
 */
export class InAppChannel implements NotificationChannel {
  readonly name: string;
  readonly #store: Store;
  readonly #clock: Clock;

  /** `name` defaults to `in-app`; `clock` (default: the system clock) stamps `createdAt` and `readAt`. */
  constructor(store: Store, options: { readonly name?: string; readonly clock?: Clock } = {}) {
    this.#store = store;
    this.name = options.name ?? 'in-app';
    this.#clock = options.clock ?? systemClock;
  }

  /** Stores the message in the recipient's inbox. */
  async send({ notification, title, body }: OutgoingNotification): Promise<void> {
    const message = {
      notificationId: notification.id,
      userId: notification.recipient,
      kind: notification.kind,
      challengeId: notification.challengeId,
      title,
      body,
      createdAt: this.#clock.now(),
    };
    await this.#store.transaction((tx) => tx.addInboxMessages([message]));
  }

  /** A user's messages, newest first. */
  inbox(userId: string, options: InboxOptions = {}): Promise<InboxMessage[]> {
    return this.#store.listInbox(requireId('userId', userId), {
      limit: requireInteger('options.limit', options.limit ?? 50, { min: 1, max: 1_000 }),
      before: options.before,
      unreadOnly: options.unreadOnly ?? false,
    });
  }

  /** Marks the user's messages read (the given ids, or every unread one); returns how many changed. */
  markRead(userId: string, ids: readonly string[] | 'all' = 'all'): Promise<number> {
    requireId('userId', userId);
    if (ids !== 'all' && (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))) {
      throw new ValidationError('ids', "must be a list of message ids or 'all'");
    }
    const at = this.#clock.now();
    return this.#store.transaction((tx) => tx.markInboxRead(userId, ids, at));
  }
}
