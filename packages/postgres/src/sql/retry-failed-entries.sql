-- Requeues a job's dead-lettered entries (pending, attempts 0, available at $2, error kept until
-- the next attempt), then, last, lowers the job's failed counter and reopens a job that ended
-- completed_with_failures or failed to running.
-- Returns: the job row after the update, with changed (entries requeued); no row when nothing
-- was requeued (or the job does not exist).
-- Params: $1 job id, $2 now.
WITH requeued AS (
  UPDATE {{schema}}.{{prefix}}payout_entries e
  SET status = 'pending', attempts = 0, available_at = $2
  WHERE e.job_id = $1 AND e.status = 'failed'
  RETURNING e.id
), batch AS (
  SELECT count(*)::int AS changed FROM requeued
), job AS (
  SELECT j.id, j.status, batch.changed
  FROM {{schema}}.{{prefix}}payout_jobs j, batch
  WHERE j.id = $1 AND batch.changed > 0
  FOR UPDATE OF j
)
UPDATE {{schema}}.{{prefix}}payout_jobs j
SET failed_entries = j.failed_entries - job.changed,
    status = CASE WHEN job.status IN ('completed_with_failures', 'failed') THEN 'running' ELSE j.status END,
    completed_at = CASE WHEN job.status IN ('completed_with_failures', 'failed') THEN NULL ELSE j.completed_at END,
    error = CASE WHEN job.status IN ('completed_with_failures', 'failed') THEN NULL ELSE j.error END,
    updated_at = $2
FROM job
WHERE j.id = job.id
RETURNING j.*, job.changed
