-- Records failed attempts in one statement: each unfinished entry gets attempts + 1, its error and
-- no lease, and goes back to pending at its retry instant or, without one, to failed (dead-lettered).
-- The job's failed counter advances last, with the same status rules as complete-entries.sql; a job
-- that ends failed takes the error of its last dead-lettered entry (highest id) as its own.
-- Returns: the job row after the update, with previous_status and changed (entries updated now);
-- no row when nothing changed (or the job does not exist).
-- Params: $1 job id, $2 entry ids, $3 errors, $4 retry instants (null = dead-letter) (arrays of equal
--         length, one failure per entry id), $5 now.
WITH failure AS (
  SELECT f.id, f.error, f.retry_at
  FROM unnest($2::bigint[], $3::text[], $4::timestamptz[]) AS f (id, error, retry_at)
), failed AS (
  UPDATE {{schema}}.{{prefix}}payout_entries e
  SET attempts = e.attempts + 1,
      error = failure.error,
      locked_until = NULL,
      status = CASE WHEN failure.retry_at IS NULL THEN 'failed' ELSE 'pending' END,
      available_at = coalesce(failure.retry_at, e.available_at)
  FROM failure
  WHERE e.job_id = $1 AND e.id = failure.id AND e.status IN ('pending', 'processing')
  RETURNING e.id, e.status, e.error
), batch AS (
  SELECT count(*)::int AS changed,
         count(*) FILTER (WHERE failed.status = 'failed')::int AS dead,
         (SELECT f.error FROM failed f WHERE f.status = 'failed' ORDER BY f.id DESC LIMIT 1) AS last_error
  FROM failed
), job AS (
  SELECT j.id, j.status, j.error, j.total_entries, j.completed_entries, j.cancelled_entries,
         j.failed_entries + batch.dead AS failed_entries,
         batch.changed, batch.last_error
  FROM {{schema}}.{{prefix}}payout_jobs j, batch
  WHERE j.id = $1 AND batch.changed > 0
  FOR UPDATE OF j
), next AS (
  SELECT job.*,
    CASE
      WHEN job.status IN ('queued', 'running', 'paused')
        AND job.completed_entries + job.failed_entries + job.cancelled_entries >= job.total_entries THEN
        CASE
          WHEN job.failed_entries = 0 THEN 'completed'
          WHEN job.completed_entries = 0 THEN 'failed'
          ELSE 'completed_with_failures'
        END
      WHEN job.status = 'queued' THEN 'running'
      ELSE job.status
    END AS next_status
  FROM job
)
UPDATE {{schema}}.{{prefix}}payout_jobs j
SET failed_entries = next.failed_entries,
    status = next.next_status,
    error = CASE WHEN next.next_status = 'failed' AND next.status IN ('queued', 'running', 'paused')
                 THEN coalesce(next.last_error, j.error) ELSE j.error END,
    started_at = coalesce(j.started_at, $5),
    completed_at = CASE WHEN next.next_status IN ('completed', 'completed_with_failures', 'failed')
                         AND next.status IN ('queued', 'running', 'paused')
                        THEN $5 ELSE j.completed_at END,
    updated_at = $5
FROM next
WHERE j.id = next.id
RETURNING j.*, next.status AS previous_status, next.changed
