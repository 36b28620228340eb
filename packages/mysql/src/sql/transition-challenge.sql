-- Moves a challenge from one status to another if it is still in the first (and due, when a
-- due-by instant is given): of two racing callers, the second waits for the first to commit,
-- re-reads the row and matches nothing. The caller reads the row back (MySQL has no RETURNING).
-- Returns: nothing; the affected row count says whether the caller won.
-- Params: ? to status, ? at, ? id, ? from status, ? due-by instant or null (twice).
UPDATE {{prefix}}challenges
SET status = ?, updated_at = ?
WHERE id = ? AND status = ? AND (? IS NULL OR deadline <= ?)
