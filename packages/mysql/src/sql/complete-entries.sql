-- Marks locked entries completed.
-- Returns: nothing.
-- Params: ? completed_at, ? entry ids (a non-empty list).
UPDATE {{prefix}}payout_entries
SET status = 'completed', completed_at = ?, locked_until = NULL
WHERE id IN (?)
