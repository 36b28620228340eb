-- Count and sum of ledger rows of one job and/or one user.
-- Returns: one row, count and total (as text: a sum of BIGINTs is DECIMAL and may exceed 2^63, and
-- the host's pool may read DECIMAL as a lossy number).
-- Params: ? job id or null (twice), ? user id or null (twice).
SELECT count(*) AS count, CAST(coalesce(sum(amount), 0) AS CHAR) AS total
FROM {{prefix}}ledger
WHERE (? IS NULL OR job_id = ?) AND (? IS NULL OR user_id = ?)
