-- The earliest deadline of an active challenge, optionally strictly after an instant.
-- Returns: one row, deadline (null when none is active).
-- Params: ? exclusive lower bound of the deadline or null (twice).
SELECT min(deadline) AS deadline
FROM {{prefix}}challenges
WHERE status = 'active' AND (? IS NULL OR deadline > ?)
