-- Locks a job's dead-lettered entries in id order, as a cancel locks them, so the two cannot deadlock.
-- Returns: rows (id), in id order.
-- Params: ? job id.
SELECT id FROM {{prefix}}payout_entries WHERE job_id = ? AND status = 'failed' ORDER BY id FOR UPDATE
