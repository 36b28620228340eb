-- The highest applied migration.
-- Returns: one row, version (0 when none).
-- Params: none.
SELECT coalesce(max(version), 0) AS version FROM {{prefix}}migrations
