import type { Notification } from '../src/domain/notification';
import type { OutgoingNotification } from '../src/notification-channel';
import type { Clock } from '../src/time/clock';

/** An outbox row as the Notifier hands it to a channel: a one-hour reminder, due and being sent. */
export function reminderRow(overrides: Partial<Notification> = {}): Notification {
  return {
    id: '42',
    key: 'reminder:chess-open:ann:PT1H',
    challengeId: 'chess-open',
    recipient: 'ann',
    kind: 'reminder',
    payload: { challengeTitle: 'Chess open', deadline: '2026-11-24T17:00:00.000Z', offset: 'PT1H' },
    dueAt: new Date('2026-11-24T16:00:00.000Z'),
    status: 'processing',
    attempts: 0,
    availableAt: new Date('2026-11-24T16:00:00.000Z'),
    lockedUntil: new Date('2026-11-24T16:01:00.000Z'),
    error: null,
    skipReason: null,
    finishedAt: null,
    createdAt: new Date('2026-11-20T09:00:00.000Z'),
    ...overrides,
  };
}

/** {@link reminderRow} with its rendered text. */
export function outgoing(overrides: Partial<Notification> = {}): OutgoingNotification {
  return {
    notification: reminderRow(overrides),
    title: '1 hour left',
    body: '"Chess open" closes at 18:00 on Tuesday 24 November (Europe/Paris).',
  };
}

/** A clock stopped at `at`: channels only read `now()`. */
export function stoppedClock(at: Date): Clock {
  return {
    now: () => new Date(at.getTime()),
    sleep: () => Promise.reject(new Error('a channel must not sleep')),
  };
}
