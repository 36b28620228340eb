-- One payout job.
-- Returns: the job row, or no row.
-- Params: $1 id.
SELECT * FROM {{schema}}.{{prefix}}payout_jobs WHERE id = $1
