-- The newest event older than the retention, where pruning stops (a plain read: no locks).
-- Returns: one row, id (null when none expired).
-- Params: ? older than.
SELECT max(id) AS id FROM {{prefix}}events WHERE created_at < ?
