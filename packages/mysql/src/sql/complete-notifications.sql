-- Marks locked notifications sent or skipped, all with the same status, instant and reason.
-- Returns: nothing.
-- Params: ? status (sent or skipped), ? at, ? skip reason or null, ? notification ids (a non-empty list).
UPDATE {{prefix}}notifications
SET status = ?, finished_at = ?, skip_reason = ?, locked_until = NULL
WHERE id IN (?)
