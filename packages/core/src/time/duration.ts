import { Duration } from 'luxon';
import { ValidationError } from '../errors';

/** A span of time as Settle accepts it: a luxon `Duration`, an ISO-8601 string (`PT10M`) or milliseconds. */
export type DurationInput = Duration | string | number;

/**
 * Parses a {@link DurationInput} into a luxon `Duration`, rejecting invalid, negative and (unless
 * `allowZero`) zero spans with a {@link ValidationError} naming `field`.
 *
 * @example
 * ```ts
 * parseDuration('reminders.window', 'PT30M').as('minutes'); // 30
 * ```
 */
export function parseDuration(field: string, input: DurationInput, options: { allowZero?: boolean } = {}): Duration {
  let duration: Duration;
  if (Duration.isDuration(input)) duration = input;
  else if (typeof input === 'string') duration = Duration.fromISO(input);
  else if (typeof input === 'number' && Number.isFinite(input)) duration = Duration.fromMillis(input);
  else throw new ValidationError(field, 'must be a luxon Duration, an ISO-8601 duration string or milliseconds');

  if (!duration.isValid) {
    throw new ValidationError(field, `is not a valid duration (${duration.invalidExplanation ?? String(input)})`);
  }
  const ms = duration.toMillis();
  if (ms < 0) throw new ValidationError(field, 'must not be negative');
  if (ms === 0 && !options.allowZero) throw new ValidationError(field, 'must be longer than zero');
  return duration;
}

/** Milliseconds of a {@link DurationInput}, validated as {@link parseDuration} does. */
export function durationMs(field: string, input: DurationInput, options: { allowZero?: boolean } = {}): number {
  return parseDuration(field, input, options).toMillis();
}
