-- Inserts a chunk of pending notifications (available at their due instant), ids in list order,
-- skipping any whose key exists: a concurrent inserter of the same key waits for the first and
-- then skips it. (INSERT IGNORE: with ON DUPLICATE KEY UPDATE the affected-row count could not tell
-- an inserted row from a skipped one under mysql2's default FOUND_ROWS flag.)
-- Returns: nothing; the affected row count is the number inserted.
-- Params: ? rows of (key, challenge id or null, recipient, kind, payload (JSON text), due_at,
--         status 'pending', available_at, created_at).
INSERT IGNORE INTO {{prefix}}notifications
  (`key`, challenge_id, recipient, kind, payload, due_at, status, available_at, created_at)
VALUES ?
