-- Removes one participant.
-- Returns: nothing; the affected row count says whether the user was taking part.
-- Params: ? challenge id, ? user id.
DELETE FROM {{prefix}}participants WHERE challenge_id = ? AND user_id = ?
