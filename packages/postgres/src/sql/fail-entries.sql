-- Records failed attempts in one statement: each unfinished entry (with a lease given, only while it
-- is still processing under exactly that lease) gets attempts + 1, its error and no lease, and goes
-- back to pending at its retry instant, or, in a cancelled job, to cancelled; without a retry
-- instant it goes to failed (dead-lettered). The job's counters advance last and the job moves as
-- payout_job_next_status() (migration 0002) says; a job that ends failed takes the error of its
-- last dead-lettered entry (highest id) as its own.
-- A lease compares at millisecond precision: it was written from a JavaScript Date and is compared
-- with the one its lease returned, so a value a host wrote with microseconds still matches.
-- The job's status is read from the statement's snapshot: when a cancel commits after it began,
-- the returned row shows a cancelled job with requeued > 0, and the caller runs the transaction again.
-- Returns: the job row after the update, with previous_status, changed (entries updated now),
-- entry_ids (their ids as text, ascending) and requeued (entries put back to pending); no row when
-- nothing changed (or the job does not exist).
-- Params: $1 job id, $2 entry ids, $3 errors, $4 retry instants (null = dead-letter), $5 leases
--         (null = any) (arrays of equal length, one failure per entry id, in id order), $6 now.
WITH seen AS (
  SELECT j.status FROM {{schema}}.{{prefix}}payout_jobs j WHERE j.id = $1
), failure AS (
  SELECT f.id, f.error, f.retry_at, f.lease_until
  FROM unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::timestamptz[]) AS f (id, error, retry_at, lease_until)
), failed AS (
  UPDATE {{schema}}.{{prefix}}payout_entries e
  SET attempts = e.attempts + 1,
      error = failure.error,
      locked_until = NULL,
      status = CASE
        WHEN failure.retry_at IS NULL THEN 'failed'
        WHEN seen.status = 'cancelled' THEN 'cancelled'
        ELSE 'pending'
      END,
      available_at = coalesce(failure.retry_at, e.available_at)
  FROM failure, seen
  WHERE e.job_id = $1 AND e.id = failure.id AND e.status IN ('pending', 'processing')
    AND (
      failure.lease_until IS NULL
      OR (e.status = 'processing' AND date_trunc('milliseconds', e.locked_until) = failure.lease_until)
    )
  RETURNING e.id, e.status, e.error
), batch AS (
  SELECT count(*)::int AS changed,
         array_agg(failed.id::text ORDER BY failed.id) AS entry_ids,
         count(*) FILTER (WHERE failed.status = 'failed')::int AS dead,
         count(*) FILTER (WHERE failed.status = 'cancelled')::int AS cancelled,
         count(*) FILTER (WHERE failed.status = 'pending')::int AS requeued,
         (SELECT f.error FROM failed f WHERE f.status = 'failed' ORDER BY f.id DESC LIMIT 1) AS last_error
  FROM failed
), job AS (
  SELECT j.id, j.status, j.error, j.total_entries, j.completed_entries,
         j.failed_entries + batch.dead AS failed_entries,
         j.cancelled_entries + batch.cancelled AS cancelled_entries,
         batch.changed, batch.entry_ids, batch.requeued, batch.last_error
  FROM {{schema}}.{{prefix}}payout_jobs j, batch
  WHERE j.id = $1 AND batch.changed > 0
  FOR UPDATE OF j
), next AS (
  SELECT job.*,
    {{schema}}.{{prefix}}payout_job_next_status(
      job.status, job.total_entries, job.completed_entries, job.failed_entries, job.cancelled_entries
    ) AS next_status
  FROM job
)
UPDATE {{schema}}.{{prefix}}payout_jobs j
SET failed_entries = next.failed_entries,
    cancelled_entries = next.cancelled_entries,
    status = next.next_status,
    error = CASE WHEN next.next_status = 'failed' AND next.status IN ('queued', 'running', 'paused')
                 THEN coalesce(next.last_error, j.error) ELSE j.error END,
    started_at = coalesce(j.started_at, $6),
    completed_at = CASE WHEN next.next_status IN ('completed', 'completed_with_failures', 'failed')
                         AND next.status IN ('queued', 'running', 'paused')
                        THEN $6 ELSE j.completed_at END,
    updated_at = $6
FROM next
WHERE j.id = next.id
RETURNING j.*, next.status AS previous_status, next.changed, next.entry_ids, next.requeued
