-- Jobs per status.
-- Returns: rows (status, count).
-- Params: none.
SELECT status, count(*) AS count FROM {{prefix}}payout_jobs GROUP BY status
