-- Jobs a lease may come from, best first, after a cursor: a queued or running job with a pending,
-- available entry, or, with $2 (a lease), a job in any status with a processing entry whose lease
-- expired (the money may already have moved: only a completion or a failure settles that entry).
-- Nothing is locked: the claim that follows skips entries other transactions hold.
-- Returns: job rows, highest priority first, then oldest (created_at, then creation order).
-- Params: $1 now, $2 include expired leases, $3 only this job id or null, $4 only these entry ids or null,
--         $5 cursor priority or null, $6 cursor created_at, $7 cursor seq, $8 limit.
SELECT j.*
FROM {{schema}}.{{prefix}}payout_jobs j
WHERE (j.status IN ('queued', 'running') OR $2::boolean)
  AND ($3::text IS NULL OR j.id = $3)
  AND (
    $5::int IS NULL
    OR j.priority < $5
    OR (j.priority = $5 AND (j.created_at, j.seq) > ($6::timestamptz, $7::bigint))
  )
  AND EXISTS (
    SELECT 1
    FROM {{schema}}.{{prefix}}payout_entries e
    WHERE e.job_id = j.id
      AND e.id >= j.claim_floor
      AND ($4::bigint[] IS NULL OR e.id = ANY ($4))
      AND (
        (e.status = 'pending' AND e.available_at <= $1 AND j.status IN ('queued', 'running'))
        OR ($2 AND e.status = 'processing' AND e.locked_until <= $1)
      )
  )
ORDER BY j.priority DESC, j.created_at, j.seq
LIMIT $8
