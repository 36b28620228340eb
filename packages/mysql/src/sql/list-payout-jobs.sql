-- Payout jobs, newest first, optionally only some statuses or one challenge's.
-- Returns: job rows.
-- Params: ? filter on status (0/1), ? statuses or null, ? challenge id or null (twice), ? limit.
SELECT *
FROM {{prefix}}payout_jobs
WHERE (? = 0 OR status IN (?)) AND (? IS NULL OR challenge_id = ?)
ORDER BY created_at DESC, seq DESC
LIMIT ?
