-- A page of a job's entries by id, optionally only some statuses.
-- Returns: entry rows, in id order.
-- Params: ? job id, ? filter on status (0/1), ? statuses or null, ? exclusive lower bound of id or
--         null (twice), ? limit.
SELECT *
FROM {{prefix}}payout_entries
WHERE job_id = ? AND (? = 0 OR status IN (?)) AND (? IS NULL OR id > ?)
ORDER BY id
LIMIT ?
