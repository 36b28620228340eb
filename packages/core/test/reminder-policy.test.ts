import { describe, expect, it } from 'vitest';
import type { Challenge, Notification } from '../src/index';
import { decideReminder, newReminder, reminderKey } from '../src/notifier/reminder-policy';

const MINUTE = 60_000;
const deadline = new Date('2030-06-01T18:00:00Z');
const offsets = [
  { ms: 60 * MINUTE, iso: 'PT1H' },
  { ms: 10 * MINUTE, iso: 'PT10M' },
];
const challenge: Challenge = {
  id: 'c1',
  title: 'Chess open',
  deadline,
  status: 'active',
  metadata: {},
  createdAt: new Date('2030-06-01T00:00:00Z'),
  updatedAt: new Date('2030-06-01T00:00:00Z'),
};

function reminder(offset: (typeof offsets)[number]): Notification {
  const row = newReminder(challenge, 'ann', offset, new Date('2030-06-01T00:00:00Z'));
  return {
    ...row,
    id: '1',
    status: 'processing',
    attempts: 0,
    availableAt: row.dueAt,
    lockedUntil: null,
    error: null,
    skipReason: null,
    finishedAt: null,
  };
}

/** Minutes before the deadline → the decision for the hour reminder, with nothing sent yet. */
function hourReminderAt(minutesBefore: number, lastSentMinutesBefore: number | null = null) {
  return decideReminder({
    reminder: reminder(offsets[0]!),
    challenge,
    offsets,
    dedupeWindowMs: 30 * MINUTE,
    lastSentAt: lastSentMinutesBefore === null ? null : new Date(deadline.getTime() - lastSentMinutesBefore * MINUTE),
    now: new Date(deadline.getTime() - minutesBefore * MINUTE),
  });
}

describe('reminder policy', () => {
  it('sends a reminder on time, and late while the next one is further away than the window', () => {
    expect(hourReminderAt(60)).toBe('send');
    expect(hourReminderAt(41)).toBe('send');
  });

  it('gives way to a more urgent reminder falling due within the window', () => {
    expect(hourReminderAt(40)).toBe('superseded');
    expect(hourReminderAt(15)).toBe('superseded');
    expect(
      decideReminder({
        reminder: reminder(offsets[1]!),
        challenge,
        offsets,
        dedupeWindowMs: 30 * MINUTE,
        lastSentAt: null,
        now: new Date(deadline.getTime() - 5 * MINUTE),
      }),
    ).toBe('send');
  });

  it('never sends at or after the deadline, nor for a challenge no longer active', () => {
    expect(hourReminderAt(0)).toBe('deadline_passed');
    expect(hourReminderAt(-5)).toBe('deadline_passed');
    const base = { reminder: reminder(offsets[0]!), offsets, dedupeWindowMs: 30 * MINUTE, lastSentAt: null };
    const now = new Date(deadline.getTime() - 60 * MINUTE);
    expect(decideReminder({ ...base, now, challenge: { ...challenge, status: 'cancelled' } })).toBe(
      'challenge_not_active',
    );
    expect(decideReminder({ ...base, now, challenge: null })).toBe('challenge_not_active');
  });

  it('skips a reminder when another reached the recipient less than the window ago', () => {
    expect(hourReminderAt(60, 61)).toBe('within_window');
    expect(hourReminderAt(60, 90)).toBe('send');
    expect(hourReminderAt(60, 89)).toBe('within_window');
  });

  it('keys a reminder by challenge, recipient and offset, with separators escaped', () => {
    expect(reminderKey('c1', 'ann', offsets[0]!)).toBe('reminder:c1:ann:PT1H');
    expect(reminderKey('a:b', 'c', offsets[0]!)).not.toBe(reminderKey('a', 'b:c', offsets[0]!));
    expect(newReminder(challenge, 'ann', offsets[1]!, new Date(0))).toMatchObject({
      key: 'reminder:c1:ann:PT10M',
      kind: 'reminder',
      dueAt: new Date(deadline.getTime() - 10 * MINUTE),
      payload: { offset: 'PT10M', challengeTitle: 'Chess open', deadline: deadline.toISOString() },
    });
  });
});
