-- Whether the migrations table exists (it does not before the first migrate()).
-- Returns: one row, present (0 or 1).
-- Params: ? table name.
SELECT count(*) AS present
FROM information_schema.tables
WHERE table_schema = database() AND table_name = ?
