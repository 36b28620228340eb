-- A page of a job's entries by id, optionally only some statuses.
-- Returns: entry rows, in id order.
-- Params: $1 job id, $2 statuses or null, $3 exclusive lower bound of id or null, $4 limit.
SELECT *
FROM {{schema}}.{{prefix}}payout_entries
WHERE job_id = $1 AND ($2::text[] IS NULL OR status = ANY ($2)) AND ($3::bigint IS NULL OR id > $3)
ORDER BY id
LIMIT $4
