-- A page of a challenge's participants by user id, optionally only those who joined after an instant.
-- Returns: participant rows, ordered by user id.
-- Params: $1 challenge id, $2 exclusive lower bound of user id or null, $3 limit,
--         $4 exclusive lower bound of joined_at or null.
SELECT *
FROM {{schema}}.{{prefix}}participants
WHERE challenge_id = $1 AND ($2::text IS NULL OR user_id > $2)
  AND ($4::timestamptz IS NULL OR joined_at > $4)
ORDER BY user_id
LIMIT $3
