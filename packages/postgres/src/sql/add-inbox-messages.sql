-- Inserts in-app messages, unread, ids in input order, skipping any whose notification is already
-- in the inbox: a concurrent inserter of the same notification waits for the first and then skips it.
-- Returns: nothing; the affected row count is the number inserted.
-- Params: $1 notification ids, $2 user ids, $3 kinds, $4 challenge ids (or nulls), $5 titles,
--         $6 bodies, $7 created instants (arrays of equal length).
INSERT INTO {{schema}}.{{prefix}}inbox (notification_id, user_id, kind, challenge_id, title, body, created_at)
SELECT m.notification_id, m.user_id, m.kind, m.challenge_id, m.title, m.body, m.created_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
  WITH ORDINALITY AS m (notification_id, user_id, kind, challenge_id, title, body, created_at, ord)
ORDER BY m.ord
ON CONFLICT (notification_id) DO NOTHING
