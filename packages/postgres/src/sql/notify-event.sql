-- Queues a notification on the store's channel; Postgres delivers it to listeners when the
-- transaction commits and drops it on rollback.
-- Returns: one row.
-- Params: $1 channel, $2 payload (under 8000 bytes).
SELECT pg_notify($1, $2)
