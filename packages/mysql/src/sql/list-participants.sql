-- A page of a challenge's participants by user id.
-- Returns: participant rows, ordered by user id.
-- Params: ? challenge id, ? exclusive lower bound of user id or null (twice), ? limit.
SELECT *
FROM {{prefix}}participants
WHERE challenge_id = ? AND (? IS NULL OR user_id > ?)
ORDER BY user_id
LIMIT ?
