-- Cancels a queued, running or paused job: its pending entries become cancelled, then, last, the
-- job (entries first and the job row last, the order a batch takes them in, so a cancel cannot
-- deadlock with a batch). Every unfinished entry is locked in id order and read at its latest
-- committed version: an entry a batch holds is waited for and skipped if that batch paid it, and
-- one that a concurrent failure or retry put back to pending after this statement began is
-- cancelled too (the statement's snapshot still shows it processing or failed).
-- The entries are updated through the locked rows only, never filtered on their snapshot status.
-- The job's claim_floor (migration 0003) rises to its first entry still processing, or past the
-- last unfinished one: nothing below can be leased again, and stats and leases stop reading there.
-- Returns: one row: the cancelled job's columns (all null when the job was not cancellable, or
-- stopped being so before its lock was taken), changed (entries cancelled) and entry_ids (their ids
-- as text, ascending; null when none).
-- Params: $1 job id, $2 now.
WITH cancellable AS (
  SELECT j.id
  FROM {{schema}}.{{prefix}}payout_jobs j
  WHERE j.id = $1 AND j.status IN ('queued', 'running', 'paused')
), unfinished AS (
  SELECT e.id, e.status
  FROM {{schema}}.{{prefix}}payout_entries e, cancellable
  WHERE e.job_id = cancellable.id AND e.status IN ('pending', 'processing', 'failed')
  ORDER BY e.id
  FOR UPDATE OF e
), cancelled AS (
  UPDATE {{schema}}.{{prefix}}payout_entries e
  SET status = 'cancelled'
  FROM unfinished
  WHERE e.id = unfinished.id AND unfinished.status = 'pending'
  RETURNING e.id
), batch AS (
  SELECT count(*)::int AS changed, array_agg(cancelled.id::text ORDER BY cancelled.id) AS entry_ids,
         (SELECT min(u.id) FROM unfinished u WHERE u.status = 'processing') AS first_processing,
         (SELECT max(u.id) FROM unfinished u) AS last_unfinished
  FROM cancelled
), job AS (
  UPDATE {{schema}}.{{prefix}}payout_jobs j
  SET status = 'cancelled',
      cancelled_entries = j.cancelled_entries + batch.changed,
      claim_floor = greatest(j.claim_floor, coalesce(batch.first_processing, batch.last_unfinished + 1, j.claim_floor)),
      completed_at = $2,
      updated_at = $2
  FROM cancellable, batch
  WHERE j.id = cancellable.id AND j.status IN ('queued', 'running', 'paused')
  RETURNING j.*
)
SELECT job.*, batch.changed, batch.entry_ids
FROM batch LEFT JOIN job ON true
