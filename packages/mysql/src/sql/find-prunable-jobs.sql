-- Locks up to a limit of finished jobs completed before an instant, oldest first, that have no
-- processing entry (that entry's lease may yet end in a completion or a failure, which must find it).
-- Returns: rows (id).
-- Params: ? older than, ? limit.
SELECT j.id
FROM {{prefix}}payout_jobs j
WHERE j.status IN ('completed', 'completed_with_failures', 'failed', 'cancelled') AND j.completed_at < ?
  AND NOT EXISTS (SELECT 1 FROM {{prefix}}payout_entries e WHERE e.job_id = j.id AND e.status = 'processing')
ORDER BY j.completed_at, j.seq
LIMIT ?
FOR UPDATE
