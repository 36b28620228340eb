-- Locks the listed notifications that may still be completed (pending or processing).
-- Returns: id and status of each such row.
-- Params: ? notification ids (a non-empty list).
SELECT id, status
FROM {{prefix}}notifications
WHERE id IN (?) AND status IN ('pending', 'processing')
ORDER BY id
FOR UPDATE
