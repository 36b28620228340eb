-- Whether the schema exists (checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it does).
-- Returns: one row, exists.
-- Params: $1 schema name.
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS exists
