-- Leases locked notifications until the lease ends.
-- Returns: nothing.
-- Params: ? lease until, ? notification ids (a non-empty list).
UPDATE {{prefix}}notifications SET status = 'processing', locked_until = ? WHERE id IN (?)
