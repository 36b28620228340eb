-- Records a failed attempt of a processing notification: back to pending at the retry instant or,
-- without one, failed.
-- Returns: nothing; the affected row count says whether it was processing.
-- Params: $1 id, $2 error, $3 retry at or null.
UPDATE {{schema}}.{{prefix}}notifications
SET attempts = attempts + 1,
    error = $2,
    locked_until = NULL,
    status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
    available_at = coalesce($3, available_at)
WHERE id = $1 AND status = 'processing'
