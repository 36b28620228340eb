-- Marks a user's unread in-app messages read: those with the given ids, or all of them.
-- Returns: nothing; the affected row count is the number marked.
-- Params: $1 user id, $2 message ids or null for all, $3 read instant.
UPDATE {{schema}}.{{prefix}}inbox
SET read_at = $3
WHERE user_id = $1 AND read_at IS NULL AND ($2::bigint[] IS NULL OR id = ANY ($2))
