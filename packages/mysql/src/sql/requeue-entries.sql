-- Requeues locked dead-lettered entries: pending, attempts 0, available now, error kept until the
-- next attempt.
-- Returns: nothing.
-- Params: ? now, ? entry ids (a non-empty list).
UPDATE {{prefix}}payout_entries SET status = 'pending', attempts = 0, available_at = ? WHERE id IN (?)
