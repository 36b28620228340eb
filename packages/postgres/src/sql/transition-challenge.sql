-- Moves a challenge from one status to another if it is still in the first (and due, with $5):
-- of two racing callers, the second waits for the first to commit, re-reads the row and matches nothing.
-- Returns: the updated challenge, or no row.
-- Params: $1 id, $2 from status, $3 to status, $4 at, $5 due-by instant or null.
UPDATE {{schema}}.{{prefix}}challenges
SET status = $3, updated_at = $4
WHERE id = $1 AND status = $2 AND ($5::timestamptz IS NULL OR deadline <= $5)
RETURNING *
