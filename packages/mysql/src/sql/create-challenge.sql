-- Inserts a challenge (its participants follow with add-participants.sql).
-- Returns: nothing. A duplicate id fails with ER_DUP_ENTRY (1062), after waiting for a concurrent
-- inserter of the same id to commit.
-- Params: ? id, ? title, ? deadline, ? status, ? metadata (JSON text), ? created_at (also updated_at).
INSERT INTO {{prefix}}challenges (id, title, deadline, status, metadata, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
