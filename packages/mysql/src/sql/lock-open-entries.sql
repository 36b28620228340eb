-- Locks the listed entries of a job that are still pending or processing, in id order (the order
-- every writer locks entries in), and reads their latest committed version.
-- Returns: entry rows, in id order.
-- Params: ? job id, ? entry ids (a non-empty list).
SELECT *
FROM {{prefix}}payout_entries
WHERE job_id = ? AND id IN (?) AND status IN ('pending', 'processing')
ORDER BY id
FOR UPDATE
