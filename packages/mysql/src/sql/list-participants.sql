-- A page of a challenge's participants by user id, optionally only those who joined after an instant.
-- Returns: participant rows, ordered by user id.
-- Params: ? challenge id, ? exclusive lower bound of user id or null (twice), ? exclusive lower bound
--         of joined_at or null (twice), ? limit.
SELECT *
FROM {{prefix}}participants
WHERE challenge_id = ? AND (? IS NULL OR user_id > ?)
  AND (? IS NULL OR joined_at > ?)
ORDER BY user_id
LIMIT ?
