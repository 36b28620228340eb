-- The earliest deadline of an active challenge.
-- Returns: one row, deadline (null when none is active).
-- Params: none.
SELECT min(deadline) AS deadline FROM {{prefix}}challenges WHERE status = 'active'
