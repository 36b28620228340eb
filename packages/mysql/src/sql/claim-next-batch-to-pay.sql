-- claim-batch-to-pay.sql's claim from the job the store paid its last batch of, without the search
-- of find-claimable-jobs.sql first: it claims only while no queued or running job ranks before that
-- one (higher priority, or the same and created earlier), so whenever it returns rows they come
-- from the job the search would have picked; otherwise it returns none and the store searches.
-- The window's floor is read from the job's row here (a primary-key lookup, which MySQL evaluates
-- once while planning, so the scan is a range of the primary key from it); the job's last entry id
-- never changes. Locks, skips and reads exactly as claim-batch-to-pay.sql does.
-- Returns: id and amount of each claimed entry, in id order.
-- Params: ? job id, ? last entry id, ? job id, ? now, ? job id, ? priority (twice), ? created_at,
--         ? seq, ? limit.
SELECT e.id, e.amount
FROM {{prefix}}payout_entries e FORCE INDEX (PRIMARY)
WHERE e.id BETWEEN (SELECT f.claim_floor FROM {{prefix}}payout_jobs f WHERE f.id = ?) AND ?
  AND e.job_id = ?
  AND e.status = 'pending'
  AND e.available_at <= ?
  AND EXISTS (SELECT 1 FROM {{prefix}}payout_jobs j WHERE j.id = ? AND j.status IN ('queued', 'running'))
  AND NOT EXISTS (
    SELECT 1
    FROM {{prefix}}payout_jobs b
    WHERE b.status IN ('queued', 'running')
      AND (b.priority > ? OR (b.priority = ? AND (b.created_at, b.seq) < (?, ?)))
  )
ORDER BY e.id
LIMIT ?
FOR UPDATE SKIP LOCKED
