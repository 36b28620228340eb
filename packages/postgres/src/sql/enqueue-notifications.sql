-- Inserts pending notifications (available at their due instant), ids in input order, skipping any
-- whose key exists: a concurrent inserter of the same key waits for the first and then skips it.
-- Returns: nothing; the affected row count is the number inserted.
-- Params: $1 keys, $2 challenge ids (or nulls), $3 recipients, $4 kinds, $5 payloads (JSON text),
--         $6 due instants, $7 created instants (arrays of equal length).
INSERT INTO {{schema}}.{{prefix}}notifications
  (key, challenge_id, recipient, kind, payload, due_at, status, available_at, created_at)
SELECT n.key, n.challenge_id, n.recipient, n.kind, n.payload::jsonb, n.due_at, 'pending', n.due_at, n.created_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
  WITH ORDINALITY AS n (key, challenge_id, recipient, kind, payload, due_at, created_at, ord)
ORDER BY n.ord
ON CONFLICT (key) DO NOTHING
