-- Removes one participant.
-- Returns: nothing; the affected row count says whether the user was taking part.
-- Params: $1 challenge id, $2 user id.
DELETE FROM {{schema}}.{{prefix}}participants WHERE challenge_id = $1 AND user_id = $2
