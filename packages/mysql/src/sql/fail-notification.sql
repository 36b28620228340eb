-- Records a failed attempt of a processing notification: back to pending at the retry instant or,
-- without one, failed. Assignments run left to right, so status is decided before available_at.
-- Returns: nothing; the affected row count says whether it was processing.
-- Params: ? error, ? retry at or null, ? retry at or null, ? id.
UPDATE {{prefix}}notifications
SET attempts = attempts + 1,
    error = ?,
    locked_until = NULL,
    status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
    available_at = coalesce(?, available_at)
WHERE id = ? AND status = 'processing'
