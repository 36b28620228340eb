-- The claim of claim-batch.sql (same rows, same locks, same scan of the job's claim window) for
-- payPayoutBatch(), which completes the rows in the same transaction and needs only their ids and
-- amounts: eight fewer columns per entry to send and to read.
-- Returns: id and amount of each claimed entry, in id order.
-- Params: ? claim floor, ? last entry id, ? job id, ? now, ? filter on entry ids (0/1), ? entry ids
--         or null, ? job id, ? limit.
SELECT e.id, e.amount
FROM {{prefix}}payout_entries e FORCE INDEX (PRIMARY)
WHERE e.id BETWEEN ? AND ?
  AND e.job_id = ?
  AND e.status = 'pending'
  AND e.available_at <= ?
  AND (? = 0 OR e.id IN (?))
  AND EXISTS (SELECT 1 FROM {{prefix}}payout_jobs j WHERE j.id = ? AND j.status IN ('queued', 'running'))
ORDER BY e.id
LIMIT ?
FOR UPDATE SKIP LOCKED
