-- Jobs a batch may come from, best first, after a cursor: a queued or running job with a pending,
-- available entry, or, with a lease, a job in any status with a processing entry whose lease
-- expired (the money may already have moved: only a completion or a failure settles that entry).
-- Nothing is locked: the claim that follows skips entries other transactions hold. The probe of a
-- job's entries scans the primary key over the job's claim window (migration 0003), a range
-- MySQL plans for each job it reaches ("range checked for each record"); forced, because the
-- optimizer's own choice reads every entry of the job, paid or not.
-- Returns: job rows, highest priority first, then oldest (created_at, then creation order).
-- Params: ? include expired leases (0/1), ? only this job id or null (twice), ? cursor priority or
--         null (three times), ? cursor created_at, ? cursor seq, ? filter on entry ids (0/1),
--         ? entry ids or null, ? now, ? include expired leases, ? now, ? limit.
SELECT j.*
FROM {{prefix}}payout_jobs j
WHERE (j.status IN ('queued', 'running') OR ? = 1)
  AND (? IS NULL OR j.id = ?)
  AND (
    ? IS NULL
    OR j.priority < ?
    OR (j.priority = ? AND (j.created_at, j.seq) > (?, ?))
  )
  AND EXISTS (
    SELECT 1
    FROM {{prefix}}payout_entries e FORCE INDEX (PRIMARY)
    WHERE e.id BETWEEN j.claim_floor AND j.last_entry_id
      AND e.job_id = j.id
      AND (? = 0 OR e.id IN (?))
      AND (
        (e.status = 'pending' AND e.available_at <= ? AND j.status IN ('queued', 'running'))
        OR (? = 1 AND e.status = 'processing' AND e.locked_until <= ?)
      )
  )
ORDER BY j.priority DESC, j.created_at, j.seq
LIMIT ?
