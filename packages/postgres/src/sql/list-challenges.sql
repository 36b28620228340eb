-- A page of the challenges in one status, by id. No index leads with status: the scan walks the
-- primary key from the cursor, which suits its use, the Notifier's catch-up at start-up.
-- Returns: challenge rows, ordered by id.
-- Params: $1 status, $2 exclusive lower bound of id or null, $3 limit.
SELECT *
FROM {{schema}}.{{prefix}}challenges
WHERE status = $1 AND ($2::text IS NULL OR id > $2)
ORDER BY id
LIMIT $3
