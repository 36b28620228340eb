import { Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors';
import { type DurationInput, durationMs, parseDuration } from '../src/time/duration';

function expectRejected(fn: () => unknown, field: string, reason: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  const err = thrown as ValidationError;
  expect(err.code).toBe('validation');
  expect(err.field).toBe(field);
  expect(err.reason).toMatch(reason);
}

describe('parseDuration', () => {
  it('returns a luxon Duration as given', () => {
    const window = Duration.fromObject({ minutes: 30 });
    expect(parseDuration('reminders.window', window)).toBe(window);
  });

  it.each<[DurationInput, number]>([
    ['PT10M', 600_000],
    ['PT1H', 3_600_000],
    ['P1D', 86_400_000],
    ['PT0.5S', 500],
    [1500, 1500],
    [Duration.fromObject({ hours: 1, minutes: 10 }), 4_200_000],
  ])('reads %s as %i ms', (input, ms) => {
    expect(parseDuration('window', input).toMillis()).toBe(ms);
    expect(durationMs('window', input)).toBe(ms);
  });

  it('refuses zero unless allowed', () => {
    for (const zero of ['PT0S', 0, Duration.fromMillis(0)] as const) {
      expectRejected(() => parseDuration('pollInterval', zero), 'pollInterval', /^must be longer than zero$/);
      expect(durationMs('pollInterval', zero, { allowZero: true })).toBe(0);
    }
  });

  it.each<DurationInput>([-1, 'PT-10M', Duration.fromObject({ minutes: -5 })])('refuses negative %s', (input) => {
    expectRejected(() => parseDuration('offset', input), 'offset', /^must not be negative$/);
    expectRejected(() => durationMs('offset', input, { allowZero: true }), 'offset', /^must not be negative$/);
  });

  it.each(['10 minutes', '10m', '', 'PT10X', '1:30'])('refuses the non-ISO string %j', (input) => {
    expectRejected(() => parseDuration('offset', input), 'offset', /^is not a valid duration/);
  });

  it('refuses an invalid Duration, with luxon’s explanation', () => {
    const invalid = Duration.invalid('overflow', 'computed from bad input');
    expectRejected(
      () => parseDuration('offset', invalid),
      'offset',
      /^is not a valid duration \(computed from bad input\)$/,
    );
  });

  it.each<unknown>([Number.NaN, Number.POSITIVE_INFINITY, null, undefined, { minutes: 5 }, 10n])(
    'refuses %s as the wrong kind of input',
    (input) => {
      expectRejected(
        () => parseDuration('offset', input as DurationInput),
        'offset',
        /^must be a luxon Duration, an ISO-8601 duration string or milliseconds$/,
      );
    },
  );
});
