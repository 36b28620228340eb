-- Records an applied migration.
-- Returns: nothing.
-- Params: $1 version, $2 name.
INSERT INTO {{schema}}.{{prefix}}migrations (version, name) VALUES ($1, $2)
