-- A page of a user's in-app messages, newest first, optionally older than an id or only unread.
-- Returns: inbox rows, in descending id order.
-- Params: $1 user id, $2 exclusive upper bound of id or null, $3 unread only (boolean), $4 limit.
SELECT *
FROM {{schema}}.{{prefix}}inbox
WHERE user_id = $1
  AND ($2::bigint IS NULL OR id < $2)
  AND (NOT $3::boolean OR read_at IS NULL)
ORDER BY id DESC
LIMIT $4
