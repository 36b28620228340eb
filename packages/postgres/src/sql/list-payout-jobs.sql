-- Payout jobs, newest first, optionally only some statuses or one challenge's.
-- Returns: job rows.
-- Params: $1 statuses or null, $2 challenge id or null, $3 limit.
SELECT *
FROM {{schema}}.{{prefix}}payout_jobs
WHERE ($1::text[] IS NULL OR status = ANY ($1)) AND ($2::text IS NULL OR challenge_id = $2)
ORDER BY created_at DESC, seq DESC
LIMIT $3
