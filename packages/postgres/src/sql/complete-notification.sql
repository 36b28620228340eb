-- Marks a pending or processing notification sent or skipped.
-- Returns: nothing; the affected row count says whether it was in one of those statuses.
-- Params: $1 id, $2 status (sent or skipped), $3 at, $4 skip reason or null.
UPDATE {{schema}}.{{prefix}}notifications
SET status = $2, finished_at = $3, skip_reason = $4, locked_until = NULL
WHERE id = $1 AND status IN ('pending', 'processing')
