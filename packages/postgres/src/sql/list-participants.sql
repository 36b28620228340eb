-- A page of a challenge's participants by user id.
-- Returns: participant rows, ordered by user id.
-- Params: $1 challenge id, $2 exclusive lower bound of user id or null, $3 limit.
SELECT *
FROM {{schema}}.{{prefix}}participants
WHERE challenge_id = $1 AND ($2::text IS NULL OR user_id > $2)
ORDER BY user_id
LIMIT $3
