-- Locks a job's row, taken last by every write that changes its counters, and reads its latest
-- committed version, so the counters build on every batch that committed before.
-- Returns: the job row, or no row.
-- Params: ? id.
SELECT * FROM {{prefix}}payout_jobs WHERE id = ? FOR UPDATE
