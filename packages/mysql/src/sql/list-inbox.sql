-- A page of a user's in-app messages, newest first, optionally older than an id or only unread.
-- Returns: inbox rows, in descending id order.
-- Params: ? user id, ? exclusive upper bound of id or null (twice), ? unread only (0/1), ? user id,
--         ? limit.
SELECT id, notification_id, user_id, kind, challenge_id, title, body, created_at, read_at
FROM {{prefix}}inbox
WHERE user_id = ?
  AND (? IS NULL OR id < ?)
  AND (? = 0 OR unread_user_id = ?)
ORDER BY id DESC
LIMIT ?
