import { ValidationError } from '../../errors';
import type { NotificationChannel, OutgoingNotification } from '../../notification-channel';
import { requireString } from '../../validation';

/**
 * Options of {@link consoleChannel}.
 *
 * @example
 * ```ts
 * const options: ConsoleChannelOptions = { write: (line) => logger.debug(line) };
 * ```
 */
export interface ConsoleChannelOptions {
  /** Receives one line per notification, without a trailing newline. Default: writes the line to stdout. */
  readonly write?: (line: string) => void;
  /** The channel's name, for preferences and logs. Default: `console`. */
  readonly name?: string;
}

/**
 * A channel for development that prints one line per notification, e.g.
 * `[settle] reminder → ann: 1 hour left | "Chess open" closes at 18:00 on Tuesday 24 November (Europe/Paris). (id 42)`.
 * Nothing is delivered to anyone; use it while building, or next to a real channel to watch traffic.
 *
 * @example
 * ```ts
 * const channels = process.env.NODE_ENV === 'production'
 *   ? [webhookChannel({ url, secret })]
 *   : [consoleChannel()];
 * const notifier = new Notifier({ store, channels });
 *
 * // Or into your logger:
 * consoleChannel({ write: (line) => logger.info(line) });
 * ```
 */
export function consoleChannel(options: ConsoleChannelOptions = {}): NotificationChannel {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'must be an object');
  const name = requireString('options.name', options.name ?? 'console', { maxLength: 100 });
  if (options.write !== undefined && typeof options.write !== 'function') {
    throw new ValidationError('options.write', 'must be a function');
  }
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));

  return {
    name,
    async send({ notification, title, body }: OutgoingNotification): Promise<void> {
      // One line whatever the text holds, so the output stays greppable.
      const text = `${title} | ${body}`.replace(/\s*[\r\n]+\s*/g, ' ');
      write(`[settle] ${notification.kind} → ${notification.recipient}: ${text} (id ${notification.id})`);
    },
  };
}
