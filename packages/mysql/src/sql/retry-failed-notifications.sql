-- Moves failed notifications (all, or one challenge's) back to pending, attempts 0, available now.
-- Returns: nothing; the affected row count is the number requeued.
-- Params: ? now, ? challenge id or null (twice).
UPDATE {{prefix}}notifications
SET status = 'pending', attempts = 0, available_at = ?
WHERE status = 'failed' AND (? IS NULL OR challenge_id = ?)
