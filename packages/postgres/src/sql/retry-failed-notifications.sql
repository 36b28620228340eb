-- Moves failed notifications (all, or one challenge's) back to pending, attempts 0, available at $1.
-- Returns: nothing; the affected row count is the number requeued.
-- Params: $1 now, $2 challenge id or null.
UPDATE {{schema}}.{{prefix}}notifications
SET status = 'pending', attempts = 0, available_at = $1
WHERE status = 'failed' AND ($2::text IS NULL OR challenge_id = $2)
