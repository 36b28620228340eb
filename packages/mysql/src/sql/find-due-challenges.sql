-- Active challenges whose deadline has passed.
-- Returns: challenge rows, earliest deadline first.
-- Params: ? now, ? limit.
SELECT *
FROM {{prefix}}challenges
WHERE status = 'active' AND deadline <= ?
ORDER BY deadline, id
LIMIT ?
