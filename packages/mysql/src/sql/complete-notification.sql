-- Marks a pending or processing notification sent or skipped.
-- Returns: nothing; the affected row count says whether it was in one of those statuses.
-- Params: ? status (sent or skipped), ? at, ? skip reason or null, ? id.
UPDATE {{prefix}}notifications
SET status = ?, finished_at = ?, skip_reason = ?, locked_until = NULL
WHERE id = ? AND status IN ('pending', 'processing')
