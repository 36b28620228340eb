import type { PayoutJobProgress, PayoutJobStatus } from '@settle/core';
import { finishedPayoutJobStatuses } from '@settle/core';
import type { PayoutJobRow } from './mysql-rows';
import { toPayoutJob } from './mysql-rows';

/**
 * The status of a job whose counters a write just advanced (`status` is its status before): a
 * queued, running or paused job whose entries are all finished becomes completed (no failures),
 * failed (nothing completed) or completed_with_failures; otherwise a queued job starts running.
 * Cancelled and finished jobs keep their status. (PostgresStore keeps this rule in SQL; MySQL
 * evaluates SET assignments left to right, so here it runs on the locked row instead.)
 *
 * @internal
 */
export function nextPayoutJobStatus(
  row: Pick<PayoutJobRow, 'status' | 'total_entries' | 'completed_entries' | 'failed_entries' | 'cancelled_entries'>,
): PayoutJobStatus {
  const open = row.status === 'queued' || row.status === 'running' || row.status === 'paused';
  if (open && row.completed_entries + row.failed_entries + row.cancelled_entries >= row.total_entries) {
    if (row.failed_entries === 0) return 'completed';
    if (row.completed_entries === 0) return 'failed';
    return 'completed_with_failures';
  }
  return row.status === 'queued' ? 'running' : row.status;
}

/**
 * What a write did to its job: `before` is the locked row, `after` the row as written.
 *
 * @internal
 */
export function jobProgress(before: PayoutJobRow, after: PayoutJobRow, entryIds: readonly string[]): PayoutJobProgress {
  const finished = (status: PayoutJobStatus) => finishedPayoutJobStatuses.includes(status);
  return {
    job: toPayoutJob(after),
    changed: entryIds.length,
    entryIds: [...entryIds],
    started: before.status === 'queued' && after.status !== 'queued',
    finished: !finished(before.status) && finished(after.status),
  };
}
