-- Changes title, deadline or metadata (null keeps the current value) of a challenge in one of the expected statuses.
-- Returns: the updated challenge, or no row.
-- Params: $1 id, $2 title or null, $3 deadline or null, $4 metadata (JSON text) or null,
--         $5 expected statuses, $6 updated_at.
UPDATE {{schema}}.{{prefix}}challenges
SET title = coalesce($2, title),
    deadline = coalesce($3, deadline),
    metadata = coalesce($4::jsonb, metadata),
    updated_at = $6
WHERE id = $1 AND status = ANY ($5::text[])
RETURNING *
