-- Active challenges whose deadline has passed.
-- Returns: challenge rows, earliest deadline first.
-- Params: $1 now, $2 limit.
SELECT *
FROM {{schema}}.{{prefix}}challenges
WHERE status = 'active' AND deadline <= $1
ORDER BY deadline, id
LIMIT $2
