import type { NotificationChannel, OutgoingNotification } from '@settle/core';

/** One call of {@link RecordingChannel.send}, successful or not. */
export interface ChannelAttempt {
  readonly message: OutgoingNotification;
  /** 1-based number of this call among the calls for the same notification id. */
  readonly attempt: number;
  /** The error the call threw, or null when the message was accepted. */
  readonly error: Error | null;
}

/** Scripted behaviour of a {@link RecordingChannel}. */
export interface RecordingChannelOptions {
  /**
   * Called before each send with the message and its 1-based attempt number for that notification
   * id; returning true makes the send throw. Default: never fail.
   */
  readonly fail?: (message: OutgoingNotification, attempt: number) => boolean;
}

/** A {@link NotificationChannel} that keeps everything it was asked to send, for assertions. */
export interface RecordingChannel extends NotificationChannel {
  /** Messages accepted, in order. */
  readonly sent: readonly OutgoingNotification[];
  /** Every call, accepted or failed, in order. */
  readonly attempts: readonly ChannelAttempt[];
  /** Makes the next `count` sends throw `error` (default: an `Error` naming the channel), before any `fail` option applies. */
  failTimes(count: number, error?: Error): this;
  /** Resolves once at least `count` messages were accepted (the test's timeout bounds the wait). */
  waitForSent(count: number): Promise<readonly OutgoingNotification[]>;
  /** Forgets recorded messages, attempts and pending scripted failures. */
  reset(): void;
}

/**
 * Creates a {@link RecordingChannel} named `name` (default `recording`).
 *
 * @example
 * ```ts
 * const channel = createRecordingChannel('push').failTimes(2);
 * const notifier = new Notifier({ store, clock, channels: [channel] });
 * // … advance the clock past the reminder and its two retries …
 * expect(channel.attempts).toHaveLength(3);
 * expect(channel.sent[0]?.notification.recipient).toBe('u1');
 * ```
 */
export function createRecordingChannel(name = 'recording', options: RecordingChannelOptions = {}): RecordingChannel {
  const sent: OutgoingNotification[] = [];
  const attempts: ChannelAttempt[] = [];
  const attemptsById = new Map<string, number>();
  let scripted: Error[] = [];
  let waiters: { count: number; resolve: (messages: readonly OutgoingNotification[]) => void }[] = [];

  return {
    name,
    sent,
    attempts,

    async send(message) {
      const id = message.notification.id;
      const attempt = (attemptsById.get(id) ?? 0) + 1;
      attemptsById.set(id, attempt);

      const error =
        scripted.shift() ??
        (options.fail?.(message, attempt) ? new Error(`${name}: scripted failure of attempt ${attempt}`) : null);
      attempts.push({ message, attempt, error });
      if (error !== null) throw error;

      sent.push(message);
      const ready = waiters.filter((w) => sent.length >= w.count);
      waiters = waiters.filter((w) => sent.length < w.count);
      for (const waiter of ready) waiter.resolve(sent);
    },

    failTimes(count, error) {
      for (let i = 0; i < count; i += 1) scripted.push(error ?? new Error(`${name}: scripted failure`));
      return this;
    },

    waitForSent(count) {
      if (sent.length >= count) return Promise.resolve(sent);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },

    reset() {
      sent.length = 0;
      attempts.length = 0;
      attemptsById.clear();
      scripted = [];
    },
  };
}
