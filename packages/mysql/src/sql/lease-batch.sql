-- Locks up to a limit of entries of one job for an external rail: pending and available ones while
-- the job is queued or running, and processing ones whose lease expired whatever the job's status,
-- skipping rows other transactions hold. The scan walks the primary key over the job's claim
-- window (migration 0003) in id order, so it locks only the rows it returns (see claim-batch.sql).
-- mark-entries-processing.sql then leases them.
-- Returns: entry rows (unchanged), in id order.
-- Params: ? claim floor, ? last entry id, ? job id, ? now, ? job id, ? now, ? filter on entry ids
--         (0/1), ? entry ids or null, ? limit.
SELECT e.*
FROM {{prefix}}payout_entries e FORCE INDEX (PRIMARY)
WHERE e.id BETWEEN ? AND ?
  AND e.job_id = ?
  AND (
    (
      e.status = 'pending' AND e.available_at <= ?
      AND EXISTS (SELECT 1 FROM {{prefix}}payout_jobs j WHERE j.id = ? AND j.status IN ('queued', 'running'))
    )
    OR (e.status = 'processing' AND e.locked_until <= ?)
  )
  AND (? = 0 OR e.id IN (?))
ORDER BY e.id
LIMIT ?
FOR UPDATE SKIP LOCKED
