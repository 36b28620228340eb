-- Queues notifications on the store's channel, one per payload, in the order given; Postgres
-- delivers them to listeners when the transaction commits and drops them on rollback.
-- Returns: one row per payload.
-- Params: $1 channel, $2 payloads (each under 8000 bytes).
SELECT pg_notify($1, e.payload)
FROM unnest($2::text[]) WITH ORDINALITY AS e (payload, ord)
ORDER BY e.ord
