-- Ids of the latest events, where a new subscription starts: the highest is its high-water mark,
-- and the holes below it may belong to transactions that commit after it subscribed.
-- Returns: rows (id), highest first.
-- Params: ? limit.
SELECT id FROM {{prefix}}events ORDER BY id DESC LIMIT ?
