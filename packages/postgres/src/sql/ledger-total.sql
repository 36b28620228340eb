-- Count and sum of ledger rows of one job and/or one user.
-- Returns: one row, count and total (as text: a sum of BIGINTs is NUMERIC and may exceed 2^63).
-- Params: $1 job id or null, $2 user id or null.
SELECT count(*)::int AS count, coalesce(sum(amount), 0)::text AS total
FROM {{schema}}.{{prefix}}ledger
WHERE ($1::text IS NULL OR job_id = $1) AND ($2::text IS NULL OR user_id = $2)
