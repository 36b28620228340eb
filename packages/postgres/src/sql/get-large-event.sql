-- An event kept by store-large-event.sql.
-- Returns: the row (payload), or no row once it expired.
-- Params: $1 id.
SELECT payload FROM {{schema}}.{{prefix}}events WHERE id = $1
