import { Duration } from 'luxon';
import type { Challenge } from '../domain/challenge';
import type { Notification } from '../domain/notification';
import { ValidationError } from '../errors';
import type { NotificationChannel } from '../notification-channel';
import type { Store } from '../store/store';
import { type Backoff, type BackoffOptions, createBackoff } from '../time/backoff';
import { type Clock, systemClock } from '../time/clock';
import { type DurationInput, durationMs } from '../time/duration';
import { requireInteger } from '../validation';
import type { RenderedNotification, RenderNotificationOptions } from './render-notification';

/** How a recipient wants to be reached, as the host's `recipients` hook answers. */
export interface RecipientProfile {
  /** Names of the channels to deliver on; an empty list skips the notification (`no_channel`). Default: every channel. */
  readonly channels?: readonly string[];
  /** IANA time zone the deadline is shown in, e.g. `Europe/Paris`. Default: `UTC`. */
  readonly zone?: string;
  /** BCP 47 locale of the text, e.g. `fr`. Default: `en`. */
  readonly locale?: string;
}

/** Options of a `Notifier`. */
export interface NotifierOptions {
  /** Where challenges and the notification outbox live. */
  readonly store: Store;
  /** Where notifications go; at least one, names unique. */
  readonly channels: readonly NotificationChannel[];
  /** Source of time and of sleeping. Default: the system clock. */
  readonly clock?: Clock;
  /**
   * How long before a deadline each participant is reminded; an empty list turns reminders off.
   * Default: `['PT1H', 'PT10M']`.
   */
  readonly reminders?: readonly DurationInput[];
  /**
   * No two reminders of one challenge reach a person within this span; must be shorter than the gap
   * between any two reminder offsets. Default: `PT30M`.
   */
  readonly dedupeWindow?: DurationInput;
  /** Channels, zone and locale per recipient (preferences). Default: every channel, UTC, English. */
  readonly recipients?: (recipient: string, notification: Notification) => RecipientProfile | Promise<RecipientProfile>;
  /** Renders the title and body. Default: `renderNotification` (time left, local deadline). */
  readonly render?: (notification: Notification, options: Required<RenderNotificationOptions>) => RenderedNotification;
  /** Who is told when a challenge moves to `pending_admin`. Default: nobody. */
  readonly admins?: (challenge: Challenge) => readonly string[] | Promise<readonly string[]>;
  /** Attempts per notification before it is dead-lettered (`failed`). Default: `5`. */
  readonly maxAttempts?: number;
  /** Delay between attempts. Default: from `PT5S`, doubling, at most `PT10M`, half of it jittered. */
  readonly backoff?: BackoffOptions;
  /**
   * How long a sender holds a claimed batch before another may take it over (and send it again).
   * Keep it above `batchSize / channelConcurrency ×` the slowest channel's timeout. Default: `PT2M`.
   */
  readonly lease?: DurationInput;
  /** Notifications claimed per store round trip. Default: `100`. */
  readonly batchSize?: number;
  /** Sends in flight at once per channel. Default: `10`. */
  readonly channelConcurrency?: number;
  /**
   * The longest the Notifier sleeps before looking at the store again, and how often it looks for
   * participants who joined after their reminder's instant in other processes. Default: `PT30S`.
   */
  readonly pollInterval?: DurationInput;
}

/** One reminder offset, parsed. */
export interface ReminderOffset {
  readonly ms: number;
  /** Normalised ISO-8601 form (`PT1H`), part of the reminder's de-duplication key. */
  readonly iso: string;
}

/** Options with defaults applied and every value validated. */
export interface ResolvedNotifierOptions {
  readonly store: Store;
  readonly channels: ReadonlyMap<string, NotificationChannel>;
  readonly clock: Clock;
  /** Longest first. */
  readonly reminders: readonly ReminderOffset[];
  readonly dedupeWindowMs: number;
  readonly recipients: NotifierOptions['recipients'] | null;
  readonly render: NotifierOptions['render'] | null;
  readonly admins: NotifierOptions['admins'] | null;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly channelConcurrency: number;
  readonly pollIntervalMs: number;
}

/** Applies defaults and validates; throws `ValidationError` naming the option. */
export function resolveNotifierOptions(options: NotifierOptions): ResolvedNotifierOptions {
  if (!options || typeof options.store?.transaction !== 'function') {
    throw new ValidationError('options.store', 'must be a Settle Store');
  }
  for (const hook of ['recipients', 'render', 'admins'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new ValidationError(`options.${hook}`, 'must be a function');
    }
  }
  const reminders = resolveReminders(options.reminders ?? ['PT1H', 'PT10M']);
  const dedupeWindowMs = durationMs('options.dedupeWindow', options.dedupeWindow ?? 'PT30M');
  for (let i = 1; i < reminders.length; i++) {
    const [earlier, later] = [reminders[i - 1]!, reminders[i]!];
    if (dedupeWindowMs >= earlier.ms - later.ms) {
      throw new ValidationError(
        'options.dedupeWindow',
        `must be shorter than the ${Duration.fromMillis(earlier.ms - later.ms)
          .rescale()
          .toHuman()} between the ${earlier.iso} and ${later.iso} reminders, or the later one could never be sent`,
      );
    }
  }
  return {
    store: options.store,
    channels: resolveChannels(options.channels),
    clock: options.clock ?? systemClock,
    reminders,
    dedupeWindowMs,
    recipients: options.recipients ?? null,
    render: options.render ?? null,
    admins: options.admins ?? null,
    maxAttempts: requireInteger('options.maxAttempts', options.maxAttempts ?? 5, { min: 1, max: 100 }),
    backoff: createBackoff('options.backoff', { base: 'PT5S', max: 'PT10M', ...options.backoff }),
    leaseMs: durationMs('options.lease', options.lease ?? 'PT2M'),
    batchSize: requireInteger('options.batchSize', options.batchSize ?? 100, { min: 1, max: 10_000 }),
    channelConcurrency: requireInteger('options.channelConcurrency', options.channelConcurrency ?? 10, {
      min: 1,
      max: 1_000,
    }),
    pollIntervalMs: durationMs('options.pollInterval', options.pollInterval ?? 'PT30S'),
  };
}

function resolveReminders(inputs: readonly DurationInput[]): ReminderOffset[] {
  if (!Array.isArray(inputs)) throw new ValidationError('options.reminders', 'must be a list of durations');
  const offsets = inputs.map((input, i) => {
    const ms = durationMs(`options.reminders[${i}]`, input);
    return { ms, iso: Duration.fromMillis(ms).rescale().toISO() ?? `PT${ms / 1_000}S` };
  });
  offsets.sort((a, b) => b.ms - a.ms);
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i]!.ms === offsets[i - 1]!.ms) {
      throw new ValidationError('options.reminders', `lists ${offsets[i]!.iso} twice`);
    }
  }
  return offsets;
}

function resolveChannels(channels: readonly NotificationChannel[]): Map<string, NotificationChannel> {
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new ValidationError('options.channels', 'must list at least one channel');
  }
  const byName = new Map<string, NotificationChannel>();
  channels.forEach((channel, i) => {
    if (typeof channel?.name !== 'string' || channel.name === '' || typeof channel.send !== 'function') {
      throw new ValidationError(`options.channels[${i}]`, 'must have a name and a send() function');
    }
    if (byName.has(channel.name))
      throw new ValidationError('options.channels', `has two channels named ${channel.name}`);
    byName.set(channel.name, channel);
  });
  return byName;
}
