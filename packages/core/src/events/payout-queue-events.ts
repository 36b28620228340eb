import type { ChallengeId } from '../domain/challenge';
import type { PayoutEntryId, PayoutJobId, PayoutJobStatus } from '../domain/payout';
import type { SettleError } from '../errors';

/** Fields every payout event carries. */
export interface PayoutEventBase {
  readonly jobId: PayoutJobId;
  readonly challengeId: ChallengeId | null;
}

/** A job was created. */
export interface PayoutQueuedEvent extends PayoutEventBase {
  readonly totalEntries: number;
  /** Minor units, as a string so it survives JSON. */
  readonly totalAmount: string;
}

/** The job's first batch committed. */
export interface PayoutStartedEvent extends PayoutEventBase {
  readonly startedAt: string;
}

/** One batch committed. */
export interface PayoutBatchEvent extends PayoutEventBase {
  /** Entries completed by this batch. */
  readonly completed: number;
  /** Entries dead-lettered by this batch. */
  readonly failed: number;
  /** Minor units paid by this batch. */
  readonly amount: string;
  /** 1-based attempt of this batch (1 unless it was retried). */
  readonly attempt: number;
  readonly durationMs: number;
}

/** The job's counters after a committed batch. */
export interface PayoutProgressEvent extends PayoutEventBase {
  /** Entries completed so far. */
  readonly processed: number;
  /** Entries dead-lettered so far. */
  readonly failed: number;
  readonly total: number;
  /** Finished entries (completed, failed or cancelled) over total, 0–100, two decimals. */
  readonly percent: number;
}

/** The job finished with every entry paid, or with some dead-lettered. */
export interface PayoutCompletedEvent extends PayoutEventBase {
  readonly status: Extract<PayoutJobStatus, 'completed' | 'completed_with_failures'>;
  readonly processed: number;
  readonly failed: number;
  readonly total: number;
  readonly paidAmount: string;
  readonly completedAt: string;
}

/** The job failed: nothing could be paid, or it was failed on purpose. */
export interface PayoutFailedEvent extends PayoutEventBase {
  readonly error: string;
  readonly failed: number;
  readonly total: number;
}

/** The job was cancelled: its pending entries will not be paid (committed credits stay). */
export interface PayoutCancelledEvent extends PayoutEventBase {
  readonly cancelledAt: string;
}

/** One entry used its last attempt and is now `failed` (the dead-letter). */
export interface PayoutEntryFailedEvent extends PayoutEventBase {
  readonly entryId: PayoutEntryId;
  readonly userId: string;
  readonly amount: string;
  readonly attempts: number;
  readonly error: string;
}

/**
 * Events of a `PayoutQueue`. Each fires only after its transaction committed, on the instance whose
 * write did the work; `watch(jobId)` delivers the same events across processes.
 */
export interface PayoutQueueEvents {
  /** After a job and all its entries were written. */
  'payout.queued': (event: PayoutQueuedEvent) => void;
  /** After the commit that moved a job from `queued` to `running`. */
  'payout.started': (event: PayoutStartedEvent) => void;
  /** After each batch's transaction committed. */
  'payout.batch': (event: PayoutBatchEvent) => void;
  /** After each batch, with the job's new totals. */
  'payout.progress': (event: PayoutProgressEvent) => void;
  /** After the commit that finished a job as `completed` or `completed_with_failures`. */
  'payout.completed': (event: PayoutCompletedEvent) => void;
  /** After the commit that moved a job to `failed`. */
  'payout.failed': (event: PayoutFailedEvent) => void;
  /** After the commit that cancelled a job. */
  'payout.cancelled': (event: PayoutCancelledEvent) => void;
  /** After the commit that dead-lettered an entry. */
  'payout.entry_failed': (event: PayoutEntryFailedEvent) => void;
  /** A background failure, with its context (`jobId`, `batch`, `attempt`) in `error.context`. */
  error: (error: SettleError) => void;
}
