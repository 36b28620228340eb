-- Locks up to $3 claimable entries of one job, skipping rows other transactions hold, so that
-- concurrent claimers get disjoint batches without waiting. The locks last until the transaction ends.
-- Returns: entry rows (unchanged), in id order.
-- Params: $1 job id, $2 now, $3 limit, $4 only these entry ids or null.
SELECT e.*
FROM {{schema}}.{{prefix}}payout_entries e
WHERE e.job_id = $1
  AND e.status = 'pending'
  AND e.available_at <= $2
  AND ($4::bigint[] IS NULL OR e.id = ANY ($4))
  AND EXISTS (
    SELECT 1 FROM {{schema}}.{{prefix}}payout_jobs j WHERE j.id = $1 AND j.status IN ('queued', 'running')
  )
ORDER BY e.id
LIMIT $3
FOR UPDATE OF e SKIP LOCKED
