-- One payout job.
-- Returns: the job row, or no row.
-- Params: ? id.
SELECT * FROM {{prefix}}payout_jobs WHERE id = ?
