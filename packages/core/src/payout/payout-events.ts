import type { PayoutEntry, PayoutJob } from '../domain/payout';
import type { PayoutQueueEvents } from '../events/payout-queue-events';
import type { PayoutJobProgress } from '../store/store';
import { progressPercent } from './payout-status';

/** Names of the payout events that describe a job (everything but `error`). */
export type PayoutEventName = Exclude<keyof PayoutQueueEvents, 'error'>;

/** One payout event with its payload, as emitted locally and published to other processes. */
export type PayoutEvent = {
  [K in PayoutEventName]: { readonly name: K; readonly data: Parameters<PayoutQueueEvents[K]>[0] };
}[PayoutEventName];

/** How many entries a write completed and what they paid. */
export interface CompletedTotals {
  readonly count: number;
  readonly amount: bigint;
}

/** What one committed batch did, for building its events. */
export interface BatchOutcome {
  readonly progress: PayoutJobProgress;
  /** Entries this write completed: how many, and the sum of their amounts. */
  readonly completed: CompletedTotals;
  readonly deadLettered: readonly { readonly entry: PayoutEntry; readonly error: string }[];
  readonly attempt: number;
  readonly durationMs: number;
}

/** The `payout.queued` event of a new job. */
export function queuedEvent(job: PayoutJob): PayoutEvent {
  return {
    name: 'payout.queued',
    data: {
      jobId: job.id,
      challengeId: job.challengeId,
      totalEntries: job.totalEntries,
      totalAmount: job.totalAmount.toString(),
    },
  };
}

/** The `payout.progress` event of a job's current counters. */
export function progressEvent(job: PayoutJob): PayoutEvent {
  return {
    name: 'payout.progress',
    data: {
      jobId: job.id,
      challengeId: job.challengeId,
      processed: job.completedEntries,
      failed: job.failedEntries,
      total: job.totalEntries,
      percent: progressPercent(job),
    },
  };
}

/** The event announcing a finished job, if `job` is finished by completion or failure. */
export function finishedEvent(job: PayoutJob): PayoutEvent | null {
  const base = { jobId: job.id, challengeId: job.challengeId };
  if (job.status === 'completed' || job.status === 'completed_with_failures') {
    return {
      name: 'payout.completed',
      data: {
        ...base,
        status: job.status,
        processed: job.completedEntries,
        failed: job.failedEntries,
        total: job.totalEntries,
        paidAmount: job.paidAmount.toString(),
        completedAt: (job.completedAt ?? job.updatedAt).toISOString(),
      },
    };
  }
  if (job.status === 'failed') {
    return {
      name: 'payout.failed',
      data: { ...base, error: job.error ?? 'every entry failed', failed: job.failedEntries, total: job.totalEntries },
    };
  }
  if (job.status === 'cancelled') {
    return {
      name: 'payout.cancelled',
      data: { ...base, cancelledAt: (job.completedAt ?? job.updatedAt).toISOString() },
    };
  }
  return null;
}

/**
 * The totals of those of `entries` that `progress` says its write completed: only what the store
 * changed counts, since a raced entry is reported by whoever won it.
 */
export function completedBy(progress: PayoutJobProgress, entries: readonly PayoutEntry[]): CompletedTotals {
  const changed = new Set(progress.entryIds);
  const completed = entries.filter((e) => changed.has(e.id));
  return { count: completed.length, amount: completed.reduce((sum, e) => sum + e.amount, 0n) };
}

/** Every event a committed batch causes, in the order listeners should see them. */
export function batchEvents(outcome: BatchOutcome): PayoutEvent[] {
  const { job, started, finished } = outcome.progress;
  const base = { jobId: job.id, challengeId: job.challengeId };
  const events: PayoutEvent[] = [];
  if (started) {
    events.push({
      name: 'payout.started',
      data: { ...base, startedAt: (job.startedAt ?? job.updatedAt).toISOString() },
    });
  }
  for (const { entry, error } of outcome.deadLettered) {
    events.push({
      name: 'payout.entry_failed',
      data: {
        ...base,
        entryId: entry.id,
        userId: entry.userId,
        amount: entry.amount.toString(),
        attempts: entry.attempts + 1,
        error,
      },
    });
  }
  events.push({
    name: 'payout.batch',
    data: {
      ...base,
      completed: outcome.completed.count,
      failed: outcome.deadLettered.length,
      amount: outcome.completed.amount.toString(),
      attempt: outcome.attempt,
      durationMs: outcome.durationMs,
    },
  });
  events.push(progressEvent(job));
  const end = finished ? finishedEvent(job) : null;
  if (end) events.push(end);
  return events;
}
