-- Deletes the entries of jobs about to be pruned (prune-payout-jobs.sql follows); their ledger rows
-- and balances stay. Since migration 0003 no foreign key deletes them with their job.
-- Returns: nothing.
-- Params: ? job ids (a non-empty list).
DELETE FROM {{prefix}}payout_entries WHERE job_id IN (?)
