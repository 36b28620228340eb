-- Inserts a chunk of unread in-app messages, ids in list order, skipping any whose notification is
-- already in the inbox: a concurrent inserter of the same notification waits for the first and
-- then skips it. (INSERT IGNORE, as enqueue-notifications.sql, so the affected-row count is the
-- number inserted.)
-- Returns: nothing; the affected row count is the number inserted.
-- Params: ? rows of (notification id, user id, kind, challenge id or null, title, body, created_at).
INSERT IGNORE INTO {{prefix}}inbox (notification_id, user_id, kind, challenge_id, title, body, created_at)
VALUES ?
