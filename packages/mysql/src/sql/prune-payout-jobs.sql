-- Deletes jobs; their entries go with them (ON DELETE CASCADE), ledger rows and balances stay.
-- Returns: nothing.
-- Params: ? job ids (a non-empty list).
DELETE FROM {{prefix}}payout_jobs WHERE id IN (?)
