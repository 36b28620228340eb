-- A page of the challenges in one status, by id. No index leads with status: the scan walks the
-- primary key from the cursor, which suits its use, the Notifier's catch-up at start-up.
-- Returns: challenge rows, ordered by id.
-- Params: ? status, ? exclusive lower bound of id or null (twice), ? limit.
SELECT *
FROM {{prefix}}challenges
WHERE status = ? AND (? IS NULL OR id > ?)
ORDER BY id
LIMIT ?
