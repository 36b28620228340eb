import type { ChallengeId } from '../domain/challenge';
import type { PayoutJob, PayoutJobId, PayoutJobStatus } from '../domain/payout';

/** What `PayoutQueue.status(jobId)` reports: the job's counters, ready to show or serialize. */
export interface PayoutJobStatusView {
  readonly jobId: PayoutJobId;
  readonly challengeId: ChallengeId | null;
  readonly status: PayoutJobStatus;
  readonly priority: number;
  readonly totalWinners: number;
  /** Entries paid. */
  readonly processedWinners: number;
  /** Entries dead-lettered. */
  readonly failedWinners: number;
  /** Entries cancelled with their job. */
  readonly cancelledWinners: number;
  /** Finished entries over total, 0–100, two decimals. */
  readonly progressPercent: number;
  readonly totalAmount: bigint;
  readonly paidAmount: bigint;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly completedAt: Date | null;
  readonly error: string | null;
}

/** Finished entries (paid, dead-lettered or cancelled) over total, as a percentage with two decimals. */
export function progressPercent(job: PayoutJob): number {
  if (job.totalEntries === 0) return 100;
  const finished = job.completedEntries + job.failedEntries + job.cancelledEntries;
  return Math.floor((finished * 10_000) / job.totalEntries) / 100;
}

/** The status view of a job. */
export function toStatusView(job: PayoutJob): PayoutJobStatusView {
  return {
    jobId: job.id,
    challengeId: job.challengeId,
    status: job.status,
    priority: job.priority,
    totalWinners: job.totalEntries,
    processedWinners: job.completedEntries,
    failedWinners: job.failedEntries,
    cancelledWinners: job.cancelledEntries,
    progressPercent: progressPercent(job),
    totalAmount: job.totalAmount,
    paidAmount: job.paidAmount,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    completedAt: job.completedAt,
    error: job.error,
  };
}
