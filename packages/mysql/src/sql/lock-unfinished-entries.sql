-- Locks every unfinished entry of a job in id order, reading its latest committed version: an
-- entry a batch holds is waited for, and skipped afterwards if that batch paid it.
-- Returns: rows (id, status), in id order.
-- Params: ? job id.
SELECT id, status
FROM {{prefix}}payout_entries
WHERE job_id = ? AND status IN ('pending', 'processing', 'failed')
ORDER BY id
FOR UPDATE
