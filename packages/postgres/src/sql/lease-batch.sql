-- Leases up to $3 entries of one job for an external rail: pending and available ones while the job
-- is queued or running, and processing ones whose lease expired whatever the job's status, skipping
-- rows other transactions hold. They become processing until $4, a lease that outlives the transaction.
-- Returns: the leased entry rows, in no particular order.
-- Params: $1 job id, $2 now, $3 limit, $4 lease until, $5 only these entry ids or null.
WITH leased AS (
  SELECT e.id
  FROM {{schema}}.{{prefix}}payout_entries e
  WHERE e.job_id = $1
    AND (
      (
        e.status = 'pending' AND e.available_at <= $2
        AND EXISTS (
          SELECT 1 FROM {{schema}}.{{prefix}}payout_jobs j WHERE j.id = $1 AND j.status IN ('queued', 'running')
        )
      )
      OR (e.status = 'processing' AND e.locked_until <= $2)
    )
    AND ($5::bigint[] IS NULL OR e.id = ANY ($5))
    -- Both kinds of entry sit at or above the job's claim floor (migration 0003).
    AND e.id >= (SELECT j.claim_floor FROM {{schema}}.{{prefix}}payout_jobs j WHERE j.id = $1)
  ORDER BY e.id
  LIMIT $3
  FOR UPDATE OF e SKIP LOCKED
)
UPDATE {{schema}}.{{prefix}}payout_entries e
SET status = 'processing', locked_until = $4
FROM leased
WHERE e.id = leased.id
RETURNING e.*
