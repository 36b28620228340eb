import type { Challenge } from '../domain/challenge';
import type { NewNotification } from '../domain/notification';
import type { PayoutEntry, PayoutJob } from '../domain/payout';

/** Kind of the notice telling admins a challenge waits for resolution. */
export const PENDING_ADMIN_KIND = 'pending_admin';
/** Kind of the notice telling a winner a payout entry was paid. */
export const PAYOUT_COMPLETED_KIND = 'payout_completed';

/** One notice per admin and challenge: hearing the transition twice (two processes, a replay) stores it once. */
export function pendingAdminNotices(challenge: Challenge, admins: readonly string[], now: Date): NewNotification[] {
  return [...new Set(admins)].map((admin) => ({
    key: `${PENDING_ADMIN_KIND}:${encodeURIComponent(challenge.id)}:${encodeURIComponent(admin)}`,
    challengeId: challenge.id,
    recipient: admin,
    kind: PENDING_ADMIN_KIND,
    payload: { challengeTitle: challenge.title, deadline: challenge.deadline.toISOString() },
    dueAt: now,
    createdAt: now,
  }));
}

/** One notice per paid entry, keyed by the entry id like its ledger row. */
export function payoutNotices(
  job: PayoutJob,
  challenge: Challenge | null,
  entries: readonly PayoutEntry[],
  now: Date,
): NewNotification[] {
  return entries.map((entry) => ({
    key: `${PAYOUT_COMPLETED_KIND}:${entry.id}`,
    challengeId: job.challengeId,
    recipient: entry.userId,
    kind: PAYOUT_COMPLETED_KIND,
    payload: {
      challengeTitle: challenge?.title ?? null,
      amount: entry.amount.toString(),
      jobId: job.id,
      entryId: entry.id,
    },
    dueAt: now,
    createdAt: now,
  }));
}
