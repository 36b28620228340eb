-- One challenge.
-- Returns: the challenge row, or no row.
-- Params: $1 id.
SELECT * FROM {{schema}}.{{prefix}}challenges WHERE id = $1
