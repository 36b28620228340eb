-- A page of ledger rows by entry id, of one job and/or one user.
-- Returns: ledger rows, in entry id order.
-- Params: $1 job id or null, $2 user id or null, $3 exclusive lower bound of entry id or null, $4 limit.
SELECT *
FROM {{schema}}.{{prefix}}ledger
WHERE ($1::text IS NULL OR job_id = $1)
  AND ($2::text IS NULL OR user_id = $2)
  AND ($3::bigint IS NULL OR entry_id > $3)
ORDER BY entry_id
LIMIT $4
