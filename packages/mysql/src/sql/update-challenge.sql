-- Changes title, deadline or metadata (null keeps the current value) of a challenge in one of the
-- expected statuses. The caller reads the row back.
-- Returns: nothing; the affected row count says whether the challenge was in one of them.
-- Params: ? title or null, ? deadline or null, ? metadata (JSON text) or null, ? updated_at, ? id,
--         ? expected statuses (a list).
UPDATE {{prefix}}challenges
SET title = coalesce(?, title),
    deadline = coalesce(?, deadline),
    metadata = coalesce(?, metadata),
    updated_at = ?
WHERE id = ? AND status IN (?)
