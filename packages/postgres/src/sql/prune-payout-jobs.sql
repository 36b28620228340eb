-- Deletes up to $2 finished jobs completed before $1, oldest first, and their entries with them
-- (explicitly: since migration 0003 no foreign key cascades); ledger rows and balances stay. A job
-- that still has a processing entry is kept: that entry's lease may yet end in a completion or a
-- failure, which must find the entry; processing entries sit at or above the job's claim_floor
-- (migration 0003), where the probe starts. OFFSET 0 keeps the probe a per-job index scan: without
-- it Postgres turns NOT EXISTS into an anti join over every entry of the table. The job rows are
-- locked first, as ON DELETE CASCADE did.
-- Returns: nothing; the affected row count is the number of jobs deleted.
-- Params: $1 older than, $2 limit.
WITH prunable AS (
  SELECT j.id
  FROM {{schema}}.{{prefix}}payout_jobs j
  WHERE j.status IN ('completed', 'completed_with_failures', 'failed', 'cancelled') AND j.completed_at < $1
    AND NOT EXISTS (
      SELECT 1 FROM {{schema}}.{{prefix}}payout_entries e
      WHERE e.job_id = j.id AND e.id >= j.claim_floor AND e.status = 'processing'
      OFFSET 0
    )
  ORDER BY j.completed_at, j.seq
  LIMIT $2
  FOR UPDATE OF j
), entries AS (
  DELETE FROM {{schema}}.{{prefix}}payout_entries e
  USING prunable
  WHERE e.job_id = prunable.id
)
DELETE FROM {{schema}}.{{prefix}}payout_jobs j
USING prunable
WHERE j.id = prunable.id
