-- Whether the migrations table exists (it does not before the first migrate()).
-- Returns: one row, exists.
-- Params: $1 schema name, $2 table name.
SELECT EXISTS (
  SELECT 1
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relname = $2
) AS exists
