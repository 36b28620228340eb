-- Deletes up to $2 finished jobs completed before $1, oldest first; their entries go with them
-- (ON DELETE CASCADE), ledger rows and balances stay.
-- Returns: nothing; the affected row count is the number of jobs deleted.
-- Params: $1 older than, $2 limit.
WITH prunable AS (
  SELECT j.id
  FROM {{schema}}.{{prefix}}payout_jobs j
  WHERE j.status IN ('completed', 'completed_with_failures', 'failed', 'cancelled') AND j.completed_at < $1
  ORDER BY j.completed_at, j.seq
  LIMIT $2
  FOR UPDATE
)
DELETE FROM {{schema}}.{{prefix}}payout_jobs j
USING prunable
WHERE j.id = prunable.id
