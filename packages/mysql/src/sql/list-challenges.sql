-- A page of the challenges in one status, by id: the Notifier's catch-up on admin notices, at
-- start-up, after a reconnect and at most once per pollInterval in runOnce. The status range of the
-- (status, deadline, id) index holds the rows; they are sorted by id (a filesort of one status).
-- Returns: challenge rows, ordered by id.
-- Params: ? status, ? exclusive lower bound of id or null (twice), ? limit.
SELECT *
FROM {{prefix}}challenges
WHERE status = ? AND (? IS NULL OR id > ?)
ORDER BY id
LIMIT ?
