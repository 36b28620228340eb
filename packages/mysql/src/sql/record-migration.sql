-- Records an applied migration.
-- Returns: nothing.
-- Params: ? version, ? name, ? applied_at.
INSERT INTO {{prefix}}migrations (version, name, applied_at) VALUES (?, ?, ?)
