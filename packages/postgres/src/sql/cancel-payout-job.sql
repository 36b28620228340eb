-- Cancels a queued, running or paused job: its pending entries become cancelled, then, last, the
-- job (entries first and the job row last, the order a batch takes them in, so a cancel cannot
-- deadlock with a batch). Entries a batch holds are waited for and skipped if that batch paid them.
-- Returns: the cancelled job row with changed (entries cancelled); no row when the job was not cancellable.
-- Params: $1 job id, $2 now.
WITH cancellable AS (
  SELECT j.id
  FROM {{schema}}.{{prefix}}payout_jobs j
  WHERE j.id = $1 AND j.status IN ('queued', 'running', 'paused')
), cancelled AS (
  UPDATE {{schema}}.{{prefix}}payout_entries e
  SET status = 'cancelled'
  FROM cancellable
  WHERE e.job_id = cancellable.id AND e.status = 'pending'
  RETURNING e.id
), batch AS (
  SELECT count(*)::int AS changed FROM cancelled
)
UPDATE {{schema}}.{{prefix}}payout_jobs j
SET status = 'cancelled',
    cancelled_entries = j.cancelled_entries + batch.changed,
    completed_at = $2,
    updated_at = $2
FROM cancellable, batch
WHERE j.id = cancellable.id AND j.status IN ('queued', 'running', 'paused')
RETURNING j.*, batch.changed
