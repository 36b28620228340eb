-- The earliest deadline of an active challenge, optionally strictly after an instant. The bound is
-- never null ('-infinity' stands in), so it is an index condition of the active-deadline index.
-- Returns: one row, deadline (null when none is active).
-- Params: $1 exclusive lower bound of the deadline or null.
SELECT min(deadline) AS deadline
FROM {{schema}}.{{prefix}}challenges
WHERE status = 'active' AND deadline > coalesce($1::timestamptz, '-infinity')
