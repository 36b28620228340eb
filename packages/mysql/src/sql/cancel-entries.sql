-- Cancels locked pending entries.
-- Returns: nothing.
-- Params: ? entry ids (a non-empty list).
UPDATE {{prefix}}payout_entries SET status = 'cancelled' WHERE id IN (?)
