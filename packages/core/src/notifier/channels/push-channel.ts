import type { Notification } from '../../domain/notification';
import { ValidationError } from '../../errors';
import type { NotificationChannel, OutgoingNotification } from '../../notification-channel';
import { type Clock, systemClock } from '../../time/clock';
import { requireString } from '../../validation';
import { toNotificationJson } from './notification-json';

/**
 * The part of a Pusher-compatible server client that the push channel uses: the `pusher` package's
 * `Pusher`, Soketi and most Pusher-protocol servers (through `pusher`), or an adapter of your own
 * around Ably or another service. Settle depends on none of them.
 *
 * @example
 * ```ts
 * import Pusher from 'pusher';
 * const client: PushClient = new Pusher({ appId, key, secret, cluster: 'eu', useTLS: true });
 * ```
 */
export interface PushClient {
  /** Publishes `data` as `event` on `channel`; rejects or throws when it could not. */
  trigger(channel: string, event: string, data: unknown): Promise<unknown> | unknown;
}

/**
 * Options of {@link pushChannel}.
 *
 * @example
 * ```ts
 * const options: PushChannelOptions = { client: pusher, channel: (n) => `private-${n.recipient}`, event: 'reminder' };
 * ```
 */
export interface PushChannelOptions {
  /** The client that publishes, e.g. a `Pusher` instance. */
  readonly client: PushClient;
  /**
   * The push channel to publish on: a fixed name, or a function choosing one per notification.
   * Default: `private-user-<recipient>`, a private channel only the recipient's authorized sockets can join.
   */
  readonly channel?: string | ((notification: Notification) => string);
  /** The event name clients bind to. Default: `settle.notification`. */
  readonly event?: string;
  /** Source of the `sentAt` value. Default: the system clock. */
  readonly clock?: Clock;
  /** The channel's name, for preferences and logs. Default: `push`. */
  readonly name?: string;
}

/**
 * A channel that publishes each notification through a Pusher-compatible client you pass in, with
 * the same JSON the webhook channel posts ({@link NotificationJson}) as the event's data.
 *
 * The call resolves when the client's `trigger` does; anything it throws is passed on unchanged, so
 * the Notifier retries it with backoff. Pusher accepts event data up to 10 KB by default: keep
 * payloads small.
 *
 * @throws ValidationError at creation for a missing client or an empty event name.
 *
 * @example
 * ```ts
 * import Pusher from 'pusher';
 *
 * const pusher = new Pusher({ appId, key, secret, cluster: 'eu', useTLS: true });
 * const notifier = new Notifier({ store, channels: [pushChannel({ client: pusher })] });
 *
 * // In the browser, after authorizing private-user-<id>:
 * // pusherJs.subscribe(`private-user-${userId}`).bind('settle.notification', (n) => toast(n.title));
 * ```
 */
export function pushChannel(options: PushChannelOptions): NotificationChannel {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'must be an object');
  const name = requireString('options.name', options.name ?? 'push', { maxLength: 100 });
  const client = options.client;
  if (typeof client?.trigger !== 'function') {
    throw new ValidationError(
      'options.client',
      'must have a trigger(channel, event, data) method, like a Pusher client',
    );
  }
  const channelOf = resolveChannelOption(options.channel);
  const event = requireString('options.event', options.event ?? 'settle.notification', { maxLength: 200 });
  const clock = options.clock ?? systemClock;

  return {
    name,
    async send(message: OutgoingNotification): Promise<void> {
      await client.trigger(channelOf(message.notification), event, toNotificationJson(message, clock.now()));
    },
  };
}

function resolveChannelOption(channel: PushChannelOptions['channel']): (notification: Notification) => string {
  if (channel === undefined) return (notification) => `private-user-${notification.recipient}`;
  if (typeof channel === 'function') return channel;
  const fixed = requireString('options.channel', channel, { maxLength: 200 });
  return () => fixed;
}
