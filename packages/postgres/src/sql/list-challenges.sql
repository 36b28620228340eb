-- A page of the challenges in one status, by id: for pending_admin, the Notifier's catch-up on admin
-- notices, a range of the partial index of migration 6; for another status the scan walks the
-- primary key from the cursor and reads every challenge.
-- Returns: challenge rows, ordered by id.
-- Params: $1 status, $2 exclusive lower bound of id or null, $3 limit.
SELECT *
FROM {{schema}}.{{prefix}}challenges
WHERE status = $1 AND ($2::text IS NULL OR id > $2)
ORDER BY id
LIMIT $3
