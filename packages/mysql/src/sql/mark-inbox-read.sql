-- Marks a user's unread in-app messages read (unread_user_id is the user's id exactly while a
-- message is unread): those with the given ids, or all of them.
-- Returns: nothing; the affected row count is the number marked.
-- Params: ? read instant, ? user id, ? filter on id (0/1), ? message ids or null.
UPDATE {{prefix}}inbox
SET read_at = ?
WHERE unread_user_id = ? AND (? = 0 OR id IN (?))
