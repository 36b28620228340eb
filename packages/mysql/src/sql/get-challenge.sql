-- One challenge.
-- Returns: the challenge row, or no row.
-- Params: ? id.
SELECT * FROM {{prefix}}challenges WHERE id = ?
