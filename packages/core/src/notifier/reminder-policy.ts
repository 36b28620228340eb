import { Duration } from 'luxon';
import type { Challenge, ChallengeId } from '../domain/challenge';
import type { NewNotification, Notification } from '../domain/notification';
import type { ReminderOffset } from './notifier-options';

/**
 * Why a notification was recorded as `skipped` instead of sent:
 * - `superseded`: a more urgent reminder of the same challenge falls due within the de-duplication
 *   window, so this one gives way to it;
 * - `within_window`: a reminder of the same challenge reached the recipient less than the window ago;
 * - `deadline_passed`: the deadline passed before the reminder could go;
 * - `challenge_not_active`: the challenge was cancelled, closed or deleted meanwhile;
 * - `no_channel`: the host's `recipients` hook chose no channel for this recipient.
 */
export type SkipReason =
  | 'superseded'
  | 'within_window'
  | 'deadline_passed'
  | 'challenge_not_active'
  | 'challenge_not_pending_admin'
  | 'no_channel';

/** The notification kind of deadline reminders. */
export const REMINDER_KIND = 'reminder';

/** What a reminder carries for channels and renderers (JSON). */
export interface ReminderPayload {
  /** How long before the deadline it is due, ISO-8601 (`PT1H`). */
  readonly offset: string;
  readonly challengeTitle: string;
  /** The deadline, ISO-8601 UTC. */
  readonly deadline: string;
}

/**
 * The de-duplication key of a reminder: one per challenge, recipient and offset, so it is sent at
 * most once whatever the number of processes, restarts or deadline moves. Ids are URI-encoded so
 * that a `:` inside one cannot make two keys collide.
 */
export function reminderKey(challengeId: ChallengeId, recipient: string, offset: ReminderOffset): string {
  return `reminder:${encodeURIComponent(challengeId)}:${encodeURIComponent(recipient)}:${offset.iso}`;
}

/** The outbox row for one participant's reminder, due at `deadline − offset`. */
export function newReminder(
  challenge: Challenge,
  recipient: string,
  offset: ReminderOffset,
  now: Date,
): NewNotification {
  const payload: ReminderPayload = {
    offset: offset.iso,
    challengeTitle: challenge.title,
    deadline: challenge.deadline.toISOString(),
  };
  return {
    key: reminderKey(challenge.id, recipient, offset),
    challengeId: challenge.id,
    recipient,
    kind: REMINDER_KIND,
    payload: { ...payload },
    dueAt: new Date(challenge.deadline.getTime() - offset.ms),
    createdAt: now,
  };
}

/** What the policy needs to decide about one claimed reminder. */
export interface ReminderContext {
  readonly reminder: Notification;
  /** The challenge as it is now (null when it no longer exists). */
  readonly challenge: Challenge | null;
  /** Every configured offset, longest first. */
  readonly offsets: readonly ReminderOffset[];
  readonly dedupeWindowMs: number;
  /** When a notification of this challenge last reached this recipient, or null. */
  readonly lastSentAt: Date | null;
  readonly now: Date;
}

/**
 * Decides, at the moment of sending, whether a due reminder goes or is skipped, and why. Deciding
 * late rather than when the row is planned means cancellations, extensions and sends by other
 * processes are all seen.
 */
export function decideReminder({
  reminder,
  challenge,
  offsets,
  dedupeWindowMs,
  lastSentAt,
  now,
}: ReminderContext): SkipReason | 'send' {
  if (challenge === null || challenge.status !== 'active') return 'challenge_not_active';
  const deadline = challenge.deadline.getTime();
  const at = now.getTime();
  if (deadline <= at) return 'deadline_passed';
  const ownOffsetMs = reminderOffsetMs(reminder);
  const supersededBy = offsets.some((o) => o.ms < ownOffsetMs && deadline - o.ms <= at + dedupeWindowMs);
  if (supersededBy) return 'superseded';
  if (lastSentAt !== null && at - lastSentAt.getTime() < dedupeWindowMs) return 'within_window';
  return 'send';
}

/** The reminder's offset in milliseconds, from its payload (or from `dueAt` for a row without one). */
function reminderOffsetMs(reminder: Notification): number {
  const offset = reminder.payload.offset;
  if (typeof offset === 'string') {
    const parsed = Duration.fromISO(offset);
    if (parsed.isValid) return parsed.toMillis();
  }
  const deadline = reminder.payload.deadline;
  return typeof deadline === 'string' ? Date.parse(deadline) - reminder.dueAt.getTime() : 0;
}
