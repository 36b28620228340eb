import { Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import { MemoryStore, type NotificationChannel, Notifier, ValidationError } from '../src/index';
import { resolveNotifierOptions } from '../src/notifier/notifier-options';

const store = new MemoryStore();
const channel: NotificationChannel = { name: 'console', send: async () => {} };

function invalid(options: Record<string, unknown>): ValidationError {
  try {
    new Notifier({ store, channels: [channel], ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('Notifier options', () => {
  it('defaults to reminders one hour and ten minutes before, a 30-minute window and five attempts', () => {
    const resolved = resolveNotifierOptions({ store, channels: [channel] });
    expect(resolved.reminders).toEqual([
      { ms: 3_600_000, iso: 'PT1H' },
      { ms: 600_000, iso: 'PT10M' },
    ]);
    expect(resolved.dedupeWindowMs).toBe(1_800_000);
    expect(resolved.maxAttempts).toBe(5);
    expect(resolved.leaseMs).toBe(120_000);
    expect(resolved.pollIntervalMs).toBe(30_000);
    expect([...resolved.channels.keys()]).toEqual(['console']);
  });

  it('accepts luxon Durations, ISO strings and milliseconds, sorted longest first and normalised', () => {
    const resolved = resolveNotifierOptions({
      store,
      channels: [channel],
      reminders: [600_000, Duration.fromObject({ minutes: 90 }), 'P1D'],
      dedupeWindow: Duration.fromObject({ minutes: 15 }),
    });
    expect(resolved.reminders.map((r) => r.iso)).toEqual(['P1D', 'PT1H30M', 'PT10M']);
    expect(resolved.dedupeWindowMs).toBe(900_000);
  });

  it('turns reminders off with an empty list', () => {
    expect(resolveNotifierOptions({ store, channels: [channel], reminders: [] }).reminders).toEqual([]);
  });

  it('refuses a window as long as the gap between two reminders, naming both', () => {
    const error = invalid({ reminders: ['PT1H', 'PT40M'], dedupeWindow: 'PT20M' });
    expect(error.field).toBe('options.dedupeWindow');
    expect(error.message).toContain('20 minutes between the PT1H and PT40M reminders');
    expect(
      () => new Notifier({ store, channels: [channel], reminders: ['PT1H', 'PT40M'], dedupeWindow: 'PT19M' }),
    ).not.toThrow();
  });

  it('refuses zero, negative, malformed and repeated offsets and windows', () => {
    expect(invalid({ reminders: ['PT0S'] }).field).toBe('options.reminders[0]');
    expect(invalid({ reminders: ['PT1H', -5] }).field).toBe('options.reminders[1]');
    expect(invalid({ reminders: ['one hour'] }).field).toBe('options.reminders[0]');
    expect(invalid({ reminders: ['PT60M', 'PT1H'] }).message).toContain('twice');
    expect(invalid({ reminders: 'PT1H' }).field).toBe('options.reminders');
    expect(invalid({ dedupeWindow: 'PT0S' }).field).toBe('options.dedupeWindow');
  });

  it('refuses missing, unnamed and same-named channels, and hooks that are not functions', () => {
    expect(() => new Notifier({ store, channels: [] })).toThrow(ValidationError);
    expect(invalid({ channels: [{ name: '', send: async () => {} }] }).field).toBe('options.channels[0]');
    expect(invalid({ channels: [channel, { ...channel }] }).message).toContain('two channels named console');
    expect(invalid({ recipients: 'all' }).field).toBe('options.recipients');
    expect(invalid({ admins: ['root'] }).field).toBe('options.admins');
    expect(invalid({ maxAttempts: 0 }).field).toBe('options.maxAttempts');
    expect(invalid({ backoff: { base: 'PT1M', max: 'PT1S' } }).field).toBe('options.backoff.max');
    expect(() => new Notifier({ store: {} as never, channels: [channel] })).toThrow(ValidationError);
  });
});
