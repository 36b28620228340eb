-- Leases locked entries: processing until the lease ends, a lease that outlives the transaction.
-- Returns: nothing.
-- Params: ? lease until, ? entry ids (a non-empty list).
UPDATE {{prefix}}payout_entries SET status = 'processing', locked_until = ? WHERE id IN (?)
