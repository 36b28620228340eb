-- Whether a challenge exists, before participants are added to it.
-- Returns: the challenge's id, or no row.
-- Params: ? challenge id.
SELECT id FROM {{prefix}}challenges WHERE id = ?
