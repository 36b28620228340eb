-- Deletes jobs whose entries prune-payout-entries.sql deleted; ledger rows and balances stay.
-- Returns: nothing.
-- Params: ? job ids (a non-empty list).
DELETE FROM {{prefix}}payout_jobs WHERE id IN (?)
