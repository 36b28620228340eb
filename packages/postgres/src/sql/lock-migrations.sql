-- Serializes migrations of one schema and prefix across processes until the transaction ends.
-- Returns: one row.
-- Params: $1 lock name (schema and prefix).
SELECT pg_advisory_xact_lock(hashtextextended($1, 0))
